"""torchvision's ResNet with mmdet's `dcn` / `stage_with_dcn`: the 3x3 conv of every
bottleneck in the chosen stages replaced by a module on torchvision.ops.deform_conv2d
holding mmcv's DeformConv2dPack / ModulatedDeformConv2dPack parameters (`weight`,
`conv_offset.weight`, `conv_offset.bias`), computing what mmcv's Pack modules compute."""

import torch
import torchvision
from torch import nn
from torchvision.ops import deform_conv2d


class DeformConvPack(nn.Module):

    def __init__(self, channels_in, channels_out, stride, deform_groups, modulated):
        super().__init__()
        self.stride = stride
        self.modulated = modulated
        self.weight = nn.Parameter(torch.empty(channels_out, channels_in, 3, 3))
        per_tap = 3 if modulated else 2
        self.conv_offset = nn.Conv2d(channels_in, deform_groups * per_tap * 9, 3, stride, 1)

    def forward(self, x):
        out = self.conv_offset(x)
        mask = None
        if self.modulated:
            # mmcv: the first two thirds are the offsets, the sigmoid of the last third the mask.
            o1, o2, logits = torch.chunk(out, 3, dim=1)
            out = torch.cat((o1, o2), dim=1)
            mask = torch.sigmoid(logits)
        return deform_conv2d(x, out, self.weight, None, self.stride, 1, 1, mask)


def resnet(depth, dcn=None):
    """dcn: None or {'version': 1 | 2, 'stages': [4 bools], 'deform_groups': int}."""
    model = getattr(torchvision.models, f'resnet{depth}')()
    if dcn is not None:
        for stage, with_dcn in enumerate(dcn['stages']):
            if not with_dcn:
                continue
            for block in getattr(model, f'layer{stage + 1}'):
                conv = block.conv2
                block.conv2 = DeformConvPack(conv.in_channels, conv.out_channels, conv.stride[0],
                                             dcn.get('deform_groups', 1), dcn['version'] == 2)
    return model


def stage_outputs(model, x):
    """The outputs of layer1..layer4 and the logits."""
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    stages = []
    for name in ('layer1', 'layer2', 'layer3', 'layer4'):
        x = getattr(model, name)(x)
        stages.append(x)
    logits = model.fc(torch.flatten(model.avgpool(x), 1))
    return stages, logits
