"""The official RedNet and InternImage model files, read at generation time from
fetched git mirrors outside this repository (nothing of them is copied in), run on
Debian's CPU torch with small stand-ins for what they import and do not need here:
mmcv's ConvModule / builders, mmcls's registry and base backbone, RedNet's CUDA
involution (its naive one is used instead), InternImage's CUDA extension and timm.

INVOLUTION_GIT_DIR (default /work/.mirror/d-li14+involution/repo) and
INTERNIMAGE_GIT_DIR (default /work/.mirror/OpenGVLab+InternImage/repo) are bare
git directories of github:d-li14/involution and github:OpenGVLab/InternImage."""

import importlib.util
import os
import subprocess
import sys
import tempfile
import types

import torch
from torch import nn

MIRRORS = '/work/.mirror'
INVOLUTION_GIT_DIR = os.environ.get('INVOLUTION_GIT_DIR', f'{MIRRORS}/d-li14+involution/repo')
INTERNIMAGE_GIT_DIR = os.environ.get('INTERNIMAGE_GIT_DIR', f'{MIRRORS}/OpenGVLab+InternImage/repo')
SCRATCH = tempfile.mkdtemp(prefix='tfdeform-model-sources-')


def git(git_dir, *args):
    return subprocess.run(['git', f'--git-dir={git_dir}', *args], check=True,
                          capture_output=True, text=True).stdout


def commit(git_dir):
    return git(git_dir, 'rev-parse', 'HEAD').strip()


def load_file(git_dir, path, module_name):
    """Extracts `path` at HEAD to the scratch directory and imports it as `module_name`."""
    local = os.path.join(SCRATCH, path)
    os.makedirs(os.path.dirname(local), exist_ok=True)
    with open(local, 'w') as f:
        f.write(git(git_dir, 'show', f'HEAD:{path}'))
    spec = importlib.util.spec_from_file_location(module_name, local)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def stub(name, **attrs):
    module = types.ModuleType(name)
    module.__path__ = []  # importable as a package
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


# ---------------------------------------------------------------- RedNet (mmcls)


class ConvModule(nn.Module):
    """mmcv's ConvModule as RedNet uses it: conv (bias only without a norm), BN named `bn`, ReLU."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 conv_cfg=None, norm_cfg=None, act_cfg=dict(type='ReLU'), inplace=True):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                              bias=norm_cfg is None)
        self.bn = nn.BatchNorm2d(out_channels) if norm_cfg is not None else None
        self.activate = nn.ReLU(inplace) if act_cfg is not None else None

    def forward(self, x):
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return self.activate(x) if self.activate is not None else x


class Registry:

    def register_module(self):
        return lambda cls: cls


class BaseBackbone(nn.Module):

    def init_weights(self, pretrained=None):
        pass


def rednet_class():
    stub('mmcv')
    stub('mmcv.cnn', ConvModule=ConvModule,
         build_conv_layer=lambda cfg, *args, **kwargs: nn.Conv2d(*args, **kwargs),
         build_norm_layer=lambda cfg, channels, postfix='': (f'bn{postfix}', nn.BatchNorm2d(channels)),
         constant_init=lambda *args, **kwargs: None, kaiming_init=lambda *args, **kwargs: None)
    stub('mmcv.utils')
    stub('mmcv.utils.parrots_wrapper', _BatchNorm=nn.modules.batchnorm._BatchNorm)
    stub('mmcls')
    stub('mmcls.models')
    stub('mmcls.models.builder', BACKBONES=Registry())
    stub('mmcls.models.backbones')
    stub('mmcls.models.backbones.base_backbone', BaseBackbone=BaseBackbone)
    stub('mmcls.models.utils')
    naive = load_file(INVOLUTION_GIT_DIR, 'cls/mmcls/models/utils/involution_naive.py',
                      'mmcls.models.utils.involution_naive')
    stub('mmcls.models.utils.involution_cuda', involution=naive.involution)
    rednet = load_file(INVOLUTION_GIT_DIR, 'cls/mmcls/models/backbones/rednet.py',
                       'mmcls.models.backbones.rednet')
    return rednet.RedNet


class RedNetClassifier(nn.Module):
    """mmcls's ImageClassifier of the RedNet configs: backbone, global average pooling, LinearClsHead."""

    def __init__(self, depth, num_classes=1000):
        super().__init__()
        self.backbone = rednet_class()(depth)
        self.head = nn.Module()
        self.head.fc = nn.Linear(2048, num_classes)

    def stage_outputs(self, x):
        b = self.backbone
        x = b.maxpool(b.stem(x))
        stages = []
        for name in b.res_layers:
            x = getattr(b, name)(x)
            stages.append(x)
        return stages, self.head.fc(torch.flatten(x.mean((2, 3)), 1))


# ---------------------------------------------------------------- InternImage


def drop_path(drop_prob=0.):
    return nn.Identity()  # identity at inference


def internimage_class():
    stub('DCNv3')  # the CUDA extension, not used by DCNv3_pytorch
    stub('pkg_resources', get_distribution=lambda name: types.SimpleNamespace(version='1.0'))
    stub('timm')
    stub('timm.models')
    stub('timm.models.layers', DropPath=drop_path, trunc_normal_=nn.init.trunc_normal_)
    stub('ops_dcnv3')
    stub('ops_dcnv3.functions')
    functions = load_file(INTERNIMAGE_GIT_DIR, 'classification/ops_dcnv3/functions/dcnv3_func.py',
                          'ops_dcnv3.functions.dcnv3_func')
    sys.modules['ops_dcnv3.functions'].__dict__.update(
        DCNv3Function=functions.DCNv3Function, dcnv3_core_pytorch=functions.dcnv3_core_pytorch)
    stub('ops_dcnv3.modules')
    modules = load_file(INTERNIMAGE_GIT_DIR, 'classification/ops_dcnv3/modules/dcnv3.py',
                        'ops_dcnv3.modules.dcnv3')
    sys.modules['ops_dcnv3.modules'].__dict__.update(DCNv3=modules.DCNv3,
                                                     DCNv3_pytorch=modules.DCNv3_pytorch)
    sys.modules['ops_dcnv3'].modules = sys.modules['ops_dcnv3.modules']
    return load_file(INTERNIMAGE_GIT_DIR, 'classification/models/intern_image.py',
                     'intern_image').InternImage


# classification/configs/internimage_{t,s,b}_1k_224.yaml
INTERNIMAGE_VARIANTS = {
    'T': dict(channels=64, depths=[4, 4, 18, 4], groups=[4, 8, 16, 32]),
    'S': dict(channels=80, depths=[4, 4, 21, 4], groups=[5, 10, 20, 40], layer_scale=1e-5,
              post_norm=True),
    'B': dict(channels=112, depths=[4, 4, 21, 4], groups=[7, 14, 28, 56], layer_scale=1e-5,
              post_norm=True),
}


def internimage(variant):
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):  # the constructor prints its settings
        return internimage_class()(core_op='DCNv3_pytorch', offset_scale=1.0, mlp_ratio=4.0,
                                   drop_path_rate=0.0, **INTERNIMAGE_VARIANTS[variant])


def internimage_stage_outputs(model, x):
    x = model.patch_embed(x)
    stages = []
    for level in model.levels:
        x, before_downsample = level(x, return_wo_downsample=True)
        stages.append(before_downsample.permute(0, 3, 1, 2))  # NHWC -> NCHW like the others
    head = model.conv_head(x.permute(0, 3, 1, 2))
    return stages, model.head(torch.flatten(model.avgpool(head), 1))
