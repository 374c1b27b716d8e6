/**
 * Whole models against PyTorch: each forward fixture's network (ResNet-50
 * plain, with DCNv2 and with DCNv1, RedNet-26, InternImage-T and -S) filled
 * from the formula through loadStateDict, run on the fixture's input
 * (2 x 64 x 64; InternImage-S 1 x 32 x 32) on
 * every backend: the logits and the mean and mean |x| of every stage's output
 * within 1e-4 of PyTorch's (relative to their largest magnitude).
 */
import internimageS from '../fixtures/models/internimage_s.json';
import internimageT from '../fixtures/models/internimage_t.json';
import rednet26 from '../fixtures/models/rednet26.json';
import resnet50 from '../fixtures/models/resnet50.json';
import resnet50Dcnv1 from '../fixtures/models/resnet50_dcnv1.json';
import resnet50Dcnv2 from '../fixtures/models/resnet50_dcnv2.json';
import {describeAllBackends} from '../util/backends';
import {buildModel, formulaForward, ModelFixture, relativeError} from '../util/model_fixtures';

const TOLERANCE = 1e-4;
/** webgpu (SwiftShader) takes ~30 s for the first ResNet-50 (its shaders). */
const TIMEOUT_MS = 600000;

const FIXTURES: [string, ModelFixture][] = [
  ['ResNet-50', resnet50 as unknown as ModelFixture],
  ['ResNet-50-DCNv2 (conv3-conv5)', resnet50Dcnv2 as unknown as ModelFixture],
  ['ResNet-50-DCNv1 (conv4-conv5, 2 deform groups)', resnet50Dcnv1 as unknown as ModelFixture],
  ['RedNet-26', rednet26 as unknown as ModelFixture],
  ['InternImage-T', internimageT as unknown as ModelFixture],
  ['InternImage-S (post-norm, layer scale; 1 x 32 x 32)', internimageS as unknown as ModelFixture],
];

describeAllBackends('models against PyTorch', () => {
  for (const [name, fixture] of FIXTURES) {
    it(
      `${name}: logits and stage outputs`,
      async () => {
        const model = buildModel(fixture, fixture.inputShape![2]);
        const result = await formulaForward(model, fixture);
        model.dispose();
        expect(relativeError(result.logits, fixture.logits!.data))
          .withContext('logits')
          .toBeLessThan(TOLERANCE);
        fixture.stages!.forEach((expected, i) => {
          const actual = result.stages[i];
          const error = Math.max(
            Math.abs(actual.mean - expected.mean),
            Math.abs(actual.meanAbs - expected.meanAbs),
          );
          expect(error / expected.meanAbs)
            .withContext(`stage ${i + 1}`)
            .toBeLessThan(TOLERANCE);
        });
      },
      TIMEOUT_MS,
    );
  }
});
