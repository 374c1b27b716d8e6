#!/usr/bin/python3
"""PyTorch references of the whole networks of tfjs-deform's models (tfdeform.models).

Writes test/fixtures/models/<model>.json, read by test/specs/models_*.spec.ts:
  - every model: its state_dict's keys and shapes (PyTorch layout) and its parameter count;
  - the forward models: logits and per-stage checksums (mean and mean |x| of the outputs of
    the four stages) of one input (2 x 64 x 64; InternImage-S 1 x 32 x 32), computed in eval
    mode in float64.

No weights are written: every parameter, buffer and the input come from the formula of
test/fixtures/models/formula.json (scripts/model_fixtures/formula.py, reproduced by
test/util/formula_weights.ts), a function of the key name and the element index.

References:
  - ResNet 50/101: torchvision.models.resnet{50,101}; with DCN, the 3x3 convs of the chosen
    stages swapped for mmcv's Pack modules on torchvision.ops.deform_conv2d
    (scripts/model_fixtures/resnet_dcn.py);
  - RedNet: the official mmcls backbone of github:d-li14/involution (naive involution) with
    mmcls's linear head;
  - InternImage T/S/B: the official classification model of github:OpenGVLab/InternImage with
    its pure-PyTorch DCNv3 core.
The official files are read from bare git mirrors outside the repository at generation time
(scripts/model_fixtures/official_sources.py: INVOLUTION_GIT_DIR, INTERNIMAGE_GIT_DIR; fetch
them first), their commits recorded in each fixture's provenance.

Needs Debian's python3-torch 1.13 / python3-torchvision 0.14 (CPU):
    /usr/bin/python3 scripts/gen_model_fixtures.py [model ...]
"""

import datetime
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'model_fixtures'))

import official_sources as official  # noqa: E402
from formula import ROOT, fill_state, formula_values  # noqa: E402
from resnet_dcn import resnet, stage_outputs  # noqa: E402

OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'models')
INPUT_SHAPE = [2, 3, 64, 64]  # NCHW; the specs permute the formula's input to NHWC
SMALL_INPUT_SHAPE = [1, 3, 32, 32]  # InternImage-S's post-norm and layer-scale path, cheaply

DCN_V2 = {'version': 2, 'stages': [False, True, True, True]}
DCN_V1 = {'version': 1, 'stages': [False, False, True, True], 'deform_groups': 2}


def resnet_case(depth, dcn=None):
    args = {'depth': depth}
    if dcn is not None:
        args['dcn'] = {'version': dcn['version'], 'stages': dcn['stages'],
                       'deformGroups': dcn.get('deform_groups', 1)}
    return ('resNet', args, lambda: resnet(depth, dcn), stage_outputs,
            {'reference': 'torchvision.models.resnet%d' % depth +
             ('' if dcn is None else ' + mmcv Pack modules on torchvision.ops.deform_conv2d')})


def rednet_case(depth):
    model = lambda: official.RedNetClassifier(depth)
    return ('redNet', {'depth': depth}, model, lambda m, x: m.stage_outputs(x),
            {'reference': 'github:d-li14/involution cls/mmcls/models/backbones/rednet.py',
             'commit': official.commit(official.INVOLUTION_GIT_DIR)})


def internimage_case(variant):
    return ('internImage', {'variant': variant}, lambda: official.internimage(variant),
            official.internimage_stage_outputs,
            {'reference': 'github:OpenGVLab/InternImage classification/models/intern_image.py '
                          '(core_op DCNv3_pytorch)',
             'commit': official.commit(official.INTERNIMAGE_GIT_DIR)})


# name -> (case, the input of the forward or None)
CASES = {
    'resnet50': (lambda: resnet_case(50), INPUT_SHAPE),
    'resnet50_dcnv2': (lambda: resnet_case(50, DCN_V2), INPUT_SHAPE),
    'resnet50_dcnv1': (lambda: resnet_case(50, DCN_V1), INPUT_SHAPE),
    'resnet101': (lambda: resnet_case(101), None),
    'resnet101_dcnv2': (lambda: resnet_case(101, DCN_V2), None),
    'rednet26': (lambda: rednet_case(26), INPUT_SHAPE),
    'rednet38': (lambda: rednet_case(38), None),
    'rednet50': (lambda: rednet_case(50), None),
    'rednet101': (lambda: rednet_case(101), None),
    'rednet152': (lambda: rednet_case(152), None),
    'internimage_t': (lambda: internimage_case('T'), INPUT_SHAPE),
    'internimage_s': (lambda: internimage_case('S'), SMALL_INPUT_SHAPE),
    'internimage_b': (lambda: internimage_case('B'), None),
}


def g9(v):
    return float('%.9g' % v)


def checksums(t):
    return {'shape': list(t.shape), 'mean': g9(t.mean().item()), 'meanAbs': g9(t.abs().mean().item())}


def generate(name):
    case, input_shape = CASES[name]
    builder, args, make, forward, source = case()
    model = make().eval()
    fill_state(model)
    fixture = {
        'provenance': {
            'script': 'scripts/gen_model_fixtures.py',
            'command': '/usr/bin/python3 scripts/gen_model_fixtures.py ' + name,
            'torch': torch.__version__,
            'torchvision': torchvision.__version__,
            'date': datetime.date.today().isoformat(),
            **source,
        },
        'builder': builder,
        'args': args,
        'params': sum(p.numel() for p in model.parameters()),
        'keys': [[k, list(t.shape)] for k, t in model.state_dict().items()],
    }
    if input_shape is not None:
        x = torch.from_numpy(formula_values('input', input_shape)).double()
        with torch.no_grad():
            stages, logits = forward(model.double(), x)
        fixture['inputShape'] = input_shape
        fixture['stages'] = [checksums(s) for s in stages]
        fixture['logits'] = {'shape': list(logits.shape), 'data': [g9(v) for v in logits.reshape(-1).tolist()]}
    with open(os.path.join(OUT_DIR, name + '.json'), 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
        f.write('\n')
    print(name, fixture['params'])


if __name__ == '__main__':
    torch.use_deterministic_algorithms(True)
    for name in sys.argv[1:] or CASES:
        generate(name)
