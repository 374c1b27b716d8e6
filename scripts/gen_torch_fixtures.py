#!/usr/bin/python3
"""PyTorch oracle for the ops' forward values and gradients.

Writes test/fixtures/torch/{deform_conv2d,deform_roi_pool,dcnv3,involution}.json,
read by test/specs/torch_*.spec.ts. Every case holds float32 inputs (already in
tfjs-deform's layouts: NHWC, filter [kh, kw, C/G, Cout], offsets and masks
channels-last), a random upstream gradient `dy`, the output and the autograd
gradients of sum(y * dy) w.r.t. every differentiable input, computed by
PyTorch in float64 from the float32 inputs.

Peers:
  - torchvision.ops.deform_conv2d (DCNv1 without mask, DCNv2 with), asymmetric
    pads by zero pre-padding the input with F.pad;
  - torchvision.ops.roi_align(aligned=True), called once per deformed bin
    (output_size 1, fixed sampling ratio), for mmcv's DeformRoIPool; offset
    gradients only on cases whose samples all lie strictly inside the image,
    where RoIAlign's sampler is F.grid_sample's (which autograd differentiates
    w.r.t. the positions);
  - InternImage's pure-PyTorch DCNv3 core (F.grid_sample, bilinear, zeros,
    align_corners=False), rewritten here;
  - RedNet's naive involution (F.unfold).

Sample positions are kept away from integers (and from the sampler's window
edges), where the one-sided derivative rules of the peers differ.

Needs Debian's python3-torch / python3-torchvision:
    /usr/bin/python3 scripts/gen_torch_fixtures.py
"""

import datetime
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.ops import deform_conv2d as tv_deform_conv2d
from torchvision.ops import roi_align

SEED = 20240611
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'torch')
COMMAND = '/usr/bin/python3 scripts/gen_torch_fixtures.py'

rng = np.random.default_rng(SEED)
torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------- helpers


def f32(a):
    return np.asarray(a, dtype=np.float32)


def uniform(shape, lo=-1.0, hi=1.0):
    return f32(rng.uniform(lo, hi, size=shape))


def t64(a, grad=False):
    """float32 numpy array -> float64 torch tensor (exact), optionally a leaf needing grad."""
    t = torch.from_numpy(np.asarray(a, dtype=np.float32).astype(np.float64))
    return t.requires_grad_(True) if grad else t


def near_integer(v, eps=1e-3):
    return np.abs(v - np.round(v)) < eps


def enc_input(a):
    """float32 values, printed with the shortest repr that round-trips in float32."""
    a = np.asarray(a, dtype=np.float32)
    return {'shape': list(a.shape), 'data': [float(repr(v)) for v in a.reshape(-1)]}


def enc_result(a):
    """float64 results, 9 significant digits."""
    a = np.asarray(a, dtype=np.float64)
    return {'shape': list(a.shape), 'data': [float('%.9g' % v) for v in a.reshape(-1)]}


def nhwc(t):
    """torch NCHW -> numpy NHWC."""
    return t.detach().permute(0, 2, 3, 1).numpy()


def nchw(a, grad=False):
    """float32 numpy NHWC -> float64 torch NCHW leaf (contiguous)."""
    t = torch.from_numpy(np.ascontiguousarray(np.asarray(a, np.float32).transpose(0, 3, 1, 2)))
    t = t.to(torch.float64).contiguous()
    return t.requires_grad_(True) if grad else t


def pair(v):
    return [v, v] if isinstance(v, int) else list(v)


def window(h, w, k, strides, pad, dilations):
    """Kernel, strides, dilations, per-side pads and output size, as src/shape/window.ts computes them."""
    kh, kw = pair(k)
    sh, sw = pair(strides)
    dh, dw = pair(dilations)
    if pad is None:  # involution's default: the size kept at stride 1 (odd kernels)
        pad = [[(kh - 1) * dh // 2] * 2, [(kw - 1) * dw // 2] * 2]
    elif isinstance(pad, int):
        pad = [[pad, pad], [pad, pad]]
    (top, bottom), (left, right) = pad
    ho = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    wo = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    return kh, kw, sh, sw, dh, dw, pad, top, bottom, left, right, ho, wo


def write(name, peer, cases, notes):
    os.makedirs(OUT_DIR, exist_ok=True)
    doc = {
        'provenance': {
            'script': 'scripts/gen_torch_fixtures.py',
            'command': COMMAND,
            'peer': peer,
            'torch': torch.__version__,
            'torchvision': torchvision.__version__,
            'numpy': np.__version__,
            'python': sys.version.split()[0],
            'date': datetime.date.today().isoformat(),
            'seed': SEED,
            'dtype': 'inputs float32 (stored exactly); outputs and gradients float64, 9 significant digits',
            'loss': 'sum(y * dy), dy stored with the inputs',
            'notes': notes,
        },
        'cases': cases,
    }
    path = os.path.join(OUT_DIR, name)
    with open(path, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    print(f'{path}: {len(cases)} cases, {os.path.getsize(path)} bytes')


# ---------------------------------------------------------------- DCNv1 / DCNv2


def dcn_case(name, n, c, h, w, cout, k, strides=1, pad=0, dilations=1, groups=1,
             offset_groups=1, mask=False, bias=False):
    kh, kw, sh, sw, dh, dw, pad, top, bottom, left, right, ho, wo = window(
        h, w, k, strides, pad, dilations)
    taps = offset_groups * kh * kw

    x = uniform([n, h, w, c])
    filt = uniform([kh, kw, c // groups, cout])
    # Fractional offsets: the sample positions (integer base + offset) are never integers.
    offset = uniform([n, ho, wo, 2 * taps], -2.5, 2.5)
    while near_integer(offset).any():
        bad = near_integer(offset)
        offset[bad] = uniform([int(bad.sum())], -2.5, 2.5)
    m = uniform([n, ho, wo, taps], 0.0, 1.0) if mask else None
    b = uniform([cout]) if bias else None
    dy = uniform([n, ho, wo, cout])

    tx = nchw(x, True)
    tw = torch.from_numpy(filt.transpose(3, 2, 0, 1).astype(np.float64)).requires_grad_(True)
    to = nchw(offset, True)
    tm = nchw(m, True) if mask else None
    tb = t64(b, True) if bias else None
    xp = F.pad(tx, (left, right, top, bottom))
    y = tv_deform_conv2d(xp, to, tw, tb, stride=(sh, sw), padding=(0, 0),
                         dilation=(dh, dw), mask=tm)
    assert tuple(y.shape) == (n, cout, ho, wo), y.shape
    loss = (y * nchw(dy)).sum()
    leaves = [tx, tw, to] + ([tm] if mask else []) + ([tb] if bias else [])
    grads = torch.autograd.grad(loss, leaves)
    g = dict(zip(['x', 'filter', 'offset'] + (['mask'] if mask else []) + (['bias'] if bias else []),
                 grads))
    exp_grads = {
        'x': enc_result(nhwc(g['x'])),
        'filter': enc_result(g['filter'].permute(2, 3, 1, 0).numpy()),
        'offset': enc_result(nhwc(g['offset'])),
    }
    if mask:
        exp_grads['mask'] = enc_result(nhwc(g['mask']))
    if bias:
        exp_grads['bias'] = enc_result(g['bias'].numpy())

    inputs = {'x': enc_input(x), 'filter': enc_input(filt), 'offset': enc_input(offset)}
    if mask:
        inputs['mask'] = enc_input(m)
    if bias:
        inputs['bias'] = enc_input(b)
    return {
        'name': name,
        'attrs': {'strides': [sh, sw], 'pad': pad, 'dilations': [dh, dw], 'groups': groups,
                  'offsetGroups': offset_groups},
        'inputs': inputs,
        'dy': enc_input(dy),
        'expected': {'y': enc_result(nhwc(y)), 'grads': exp_grads},
    }


def gen_deform_conv2d():
    cases = [
        dcn_case('v1 3x3 pad 1', 1, 2, 5, 5, 3, 3, pad=1),
        dcn_case('v1 bias stride 2 batch 2', 2, 3, 6, 5, 2, 3, strides=2, pad=1, bias=True),
        dcn_case('v1 groups 3, 1x3 kernel', 1, 6, 4, 5, 3, [1, 3], pad=[[0, 0], [1, 1]],
                 groups=3),
        dcn_case('v2 mask 3x3 pad 1', 1, 2, 5, 4, 3, 3, pad=1, mask=True),
        dcn_case('v2 groups 2 offset groups 2 bias', 1, 4, 5, 5, 4, 3, pad=1, groups=2,
                 offset_groups=2, mask=True, bias=True),
        dcn_case('v2 2x3 kernel dilation 2 asymmetric pad bias', 1, 3, 6, 7, 2, [2, 3],
                 pad=[[1, 0], [2, 1]], dilations=2, mask=True, bias=True),
        dcn_case('v2 3x2 kernel stride (2,1) dilation (1,2) offset groups 2', 1, 4, 7, 6, 2,
                 [3, 2], strides=[2, 1], pad=[[0, 2], [1, 0]], dilations=[1, 2],
                 offset_groups=2, mask=True),
        dcn_case('v1 offset groups 3 groups 3 stride (1,2) dilation (2,1)', 1, 6, 6, 7, 3, 2,
                 strides=[1, 2], pad=[[1, 1], [0, 1]], dilations=[2, 1], groups=3,
                 offset_groups=3),
        dcn_case('v2 groups 2 offset groups 1 4x4 kernel valid', 1, 2, 6, 6, 2, 4, groups=2,
                 mask=True),
    ]
    write('deform_conv2d.json', 'torchvision.ops.deform_conv2d (F.pad for asymmetric pads)', cases,
          'x [N,H,W,C], filter [kh,kw,C/G,Cout] (weight.permute(2,3,1,0)), offset [N,Ho,Wo,2*OG*kh*kw] '
          '(dy,dx) per tap row-major (offset.permute(0,2,3,1)), mask [N,Ho,Wo,OG*kh*kw]. Offsets '
          'uniform in (-2.5, 2.5) and at least 1e-3 from an integer, so no sample position is an '
          'integer. Cases with a mask are modulatedDeformConv2d, the others deformConv2d.')


# ---------------------------------------------------------------- DeformRoIPool


def roi_samples(rois, offset, ph, pw, scale, ratio, gamma):
    """Sample positions (y, x) [R, ph, g, pw, g] of our kernel's definition, in float64."""
    rois = rois.astype(np.float64)
    offset = offset.astype(np.float64)
    start_x = rois[:, 1] * scale - 0.5
    start_y = rois[:, 2] * scale - 0.5
    roi_w = rois[:, 3] * scale - 0.5 - start_x
    roi_h = rois[:, 4] * scale - 0.5 - start_y
    bin_w = roi_w / pw
    bin_h = roi_h / ph
    shift_x = gamma * roi_w[:, None, None] * offset[..., 0]
    shift_y = gamma * roi_h[:, None, None] * offset[..., 1]
    i = (np.arange(ratio) + 0.5) / ratio
    ys = (start_y[:, None, None, None] + shift_y[:, :, :, None]
          + np.arange(ph)[None, :, None, None] * bin_h[:, None, None, None]
          + i[None, None, None, :] * bin_h[:, None, None, None])  # [R, ph, pw, g]
    xs = (start_x[:, None, None, None] + shift_x[:, :, :, None]
          + np.arange(pw)[None, None, :, None] * bin_w[:, None, None, None]
          + i[None, None, None, :] * bin_w[:, None, None, None])  # [R, ph, pw, g]
    return ys, xs, start_x, start_y, bin_w, bin_h, roi_w, roi_h


def roi_case(name, n, h, w, c, num_rois, out, scale, ratio, gamma, offset_range, interior,
             modulated=False, adaptive=False):
    ph, pw = pair(out)
    x = uniform([n, h, w, c])
    # Image-coordinate RoIs (feature size / scale), redrawn until every sample is safe.
    for _ in range(10000):
        b = rng.integers(0, n, size=num_rois).astype(np.float32)
        if interior:
            x1 = rng.uniform(1.2, w * 0.45, num_rois) / scale
            y1 = rng.uniform(1.2, h * 0.45, num_rois) / scale
            x2 = x1 + rng.uniform(1.0, w * 0.5 - 1, num_rois) / scale
            y2 = y1 + rng.uniform(1.0, h * 0.5 - 1, num_rois) / scale
        else:
            x1 = rng.uniform(-1.0, w * 0.6, num_rois) / scale
            y1 = rng.uniform(-1.0, h * 0.6, num_rois) / scale
            x2 = x1 + rng.uniform(0.5, w * 0.8, num_rois) / scale
            y2 = y1 + rng.uniform(0.5, h * 0.8, num_rois) / scale
        rois = f32(np.stack([b, x1, y1, x2, y2], 1))
        offset = uniform([num_rois, ph, pw, 2], -offset_range, offset_range)
        if adaptive:
            # Adaptive sampling: ceil(roi size / bins), the same on both axes for one ratio.
            r64 = rois.astype(np.float64)
            gw = (r64[:, 3] - r64[:, 1]) * scale / pw
            gh = (r64[:, 4] - r64[:, 2]) * scale / ph
            if (np.ceil(gw) != np.ceil(gh)).any() or near_integer(gw, 1e-2).any() \
                    or near_integer(gh, 1e-2).any():
                continue
            ratios = np.ceil(gw).astype(int)
        else:
            ratios = np.full(num_rois, ratio)
        ok = True
        for r in range(num_rois):
            ys, xs = roi_samples(rois[r:r + 1], offset[r:r + 1], ph, pw, scale, ratios[r], gamma)[:2]
            if interior:
                # Strictly inside [0, H-1] x [0, W-1] (RoIAlign = grid_sample there), off integers.
                ok &= bool((ys > 0.01).all() and (ys < h - 1.01).all() and (xs > 0.01).all()
                           and (xs < w - 1.01).all() and not near_integer(ys, 1e-2).any()
                           and not near_integer(xs, 1e-2).any())
            else:
                # Away from the sampler's window edges -1 and H (W), where the value jumps.
                for v, size in ((ys, h), (xs, w)):
                    ok &= bool((np.abs(v + 1) > 1e-2).all() and (np.abs(v - size) > 1e-2).all())
        if ok:
            break
    else:
        raise RuntimeError(f'{name}: no safe RoIs found')
    mask = uniform([num_rois, ph, pw, 1], 0.0, 1.0) if modulated else None
    dy = uniform([num_rois, ph, pw, c])

    tx = nchw(x, True)
    # One roi_align call per bin: output_size 1 on the shifted bin's box (spatial_scale 1, so
    # the box is in feature coordinates + 0.5 for aligned=True's half-pixel start).
    pooled = []
    for r in range(num_rois):
        _, _, sx, sy, bw, bh, rw, rh = roi_samples(rois[r:r + 1], offset[r:r + 1], ph, pw,
                                                   scale, ratios[r], gamma)
        o = offset[r].astype(np.float64)
        boxes = []
        for i in range(ph):
            for j in range(pw):
                bx = sx[0] + gamma * rw[0] * o[i, j, 0] + j * bw[0] + 0.5
                by = sy[0] + gamma * rh[0] * o[i, j, 1] + i * bh[0] + 0.5
                boxes.append([float(rois[r, 0]), bx, by, bx + bw[0], by + bh[0]])
        out_r = roi_align(tx, torch.tensor(boxes, dtype=torch.float64), output_size=1,
                          spatial_scale=1.0, sampling_ratio=int(ratios[r]), aligned=True)
        pooled.append(out_r.reshape(ph, pw, c))  # [ph*pw, C, 1, 1] -> [ph, pw, C]
    pooled = torch.stack(pooled)  # [R, ph, pw, C]
    tm = t64(mask, True) if modulated else None
    y = pooled * tm if modulated else pooled
    loss = (y * t64(dy)).sum()
    leaves = [tx] + ([tm] if modulated else [])
    grads = torch.autograd.grad(loss, leaves)
    exp_grads = {'x': enc_result(nhwc(grads[0]))}
    if modulated:
        exp_grads['mask'] = enc_result(grads[1].numpy())

    if interior:
        # Offset gradients: the same samples through F.grid_sample (zeros padding, align_corners
        # False), differentiable w.r.t. the positions; inside the image it is RoIAlign's sampler.
        tx2 = nchw(x, True)
        to = t64(offset, True)
        tm2 = t64(mask, True) if modulated else None
        out = []
        for r in range(num_rois):
            g = int(ratios[r])
            r64 = torch.from_numpy(rois[r].astype(np.float64))
            sx = r64[1] * scale - 0.5
            sy = r64[2] * scale - 0.5
            rw = r64[3] * scale - 0.5 - sx
            rh = r64[4] * scale - 0.5 - sy
            i = (torch.arange(g, dtype=torch.float64) + 0.5) / g
            ys = (sy + gamma * rh * to[r, :, :, 1][:, :, None]
                  + (torch.arange(ph, dtype=torch.float64)[:, None, None] + i) * (rh / ph))
            xs = (sx + gamma * rw * to[r, :, :, 0][:, :, None]
                  + (torch.arange(pw, dtype=torch.float64)[None, :, None] + i) * (rw / pw))
            # [ph, pw, g(y)] x [ph, pw, g(x)] -> grid [1, ph*pw, g*g, 2] of (x, y) normalised.
            gy = ys[:, :, :, None].expand(ph, pw, g, g)
            gx = xs[:, :, None, :].expand(ph, pw, g, g)
            grid = torch.stack([(2 * gx + 1) / w - 1, (2 * gy + 1) / h - 1], -1)
            grid = grid.reshape(1, ph * pw, g * g, 2)
            bi = int(rois[r, 0])
            s = F.grid_sample(tx2[bi:bi + 1], grid, mode='bilinear', padding_mode='zeros',
                              align_corners=False)  # [1, C, ph*pw, g*g]
            out.append(s.mean(-1)[0].permute(1, 0).reshape(ph, pw, c))
        pooled2 = torch.stack(out)
        diff = (pooled2 - pooled).abs().max().item()
        assert diff < 1e-12, f'{name}: grid_sample path differs from roi_align by {diff}'
        y2 = pooled2 * tm2 if modulated else pooled2
        loss2 = (y2 * t64(dy)).sum()
        leaves2 = [tx2, to] + ([tm2] if modulated else [])
        grads2 = torch.autograd.grad(loss2, leaves2)
        dxdiff = (grads2[0] - grads[0]).abs().max().item()
        assert dxdiff < 1e-12, f'{name}: grid_sample dx differs from roi_align by {dxdiff}'
        exp_grads['offset'] = enc_result(grads2[1].numpy())

    inputs = {'x': enc_input(x), 'rois': enc_input(rois), 'offset': enc_input(offset)}
    if modulated:
        inputs['mask'] = enc_input(mask)
    return {
        'name': name,
        'attrs': {'outputSize': [ph, pw], 'spatialScale': scale,
                  'samplingRatio': 0 if adaptive else ratio, 'gamma': gamma},
        'inputs': inputs,
        'dy': enc_input(dy),
        'expected': {'y': enc_result(pooled.detach().numpy() if not modulated
                                     else y.detach().numpy()),
                     'grads': exp_grads},
    }


def gen_deform_roi_pool():
    cases = [
        roi_case('2x2 bins, samplingRatio 2, RoIs over the border', 1, 6, 6, 2, 3, 2, 1.0, 2, 0.1,
                 1.0, interior=False),
        roi_case('3x2 bins, spatialScale 0.5, gamma 0.2, batch 2', 2, 7, 6, 3, 4, [3, 2], 0.5, 2,
                 0.2, 1.0, interior=False),
        roi_case('2x3 bins, samplingRatio 3, interior (offset gradients)', 2, 7, 7, 3, 3, [2, 3],
                 1.0, 3, 0.1, 0.5, interior=True),
        roi_case('2x2 bins, samplingRatio 1, spatialScale 0.25, interior', 1, 7, 6, 2, 3, 2,
                 0.25, 1, 0.15, 0.5, interior=True),
        roi_case('modulated 2x2 bins, samplingRatio 2, interior', 2, 6, 7, 3, 3, 2, 1.0, 2, 0.1,
                 0.5, interior=True, modulated=True),
        roi_case('modulated 3x3 bins, RoIs over the border', 1, 7, 7, 2, 2, 3, 1.0, 2, 0.1, 1.0,
                 interior=False, modulated=True),
        roi_case('adaptive sampling (samplingRatio 0), interior', 1, 7, 7, 2, 2, 2, 1.0, 0, 0.1,
                 0.3, interior=True, adaptive=True),
    ]
    write('deform_roi_pool.json',
          'torchvision.ops.roi_align(aligned=True) per deformed bin (output_size 1); offset '
          'gradients through F.grid_sample on interior cases', cases,
          "mmcv's DeformRoIPool: bin (ph, pw) of RoI r is RoIAlign over the box start + (pw, ph) "
          '* bin size + gamma * offset * RoI size, bin-sized, with the same sampling ratio (so the '
          'samples are those of the full-RoI grid). x [N,H,W,C], rois [R,5] (batch, x1, y1, x2, y2), '
          'offset [R,ph,pw,2] (dx, dy), mask [R,ph,pw,1]. Non-interior cases keep every sample 1e-2 '
          'away from -1 and H (W) and give no offset gradient (torch has none w.r.t. boxes); interior '
          'cases keep samples strictly inside [0, H-1] x [0, W-1] and off integers, where the '
          'grid_sample formulation (checked equal to roi_align to 1e-12, value and dx) gives it. '
          'The adaptive case picks RoIs whose ceil(roi size / bins) is the same on both axes.')


# ---------------------------------------------------------------- DCNv3


def dcnv3_core(x, offset, mask, kh, kw, sh, sw, pad, dh, dw, groups, offset_scale,
               remove_center):
    """InternImage's dcnv3_core_pytorch (NHWC), with per-side padding.

    x [N, H, W, G*Cg], offset [N, Ho, Wo, G*P*2] (dx, dy), mask [N, Ho, Wo, G*P].
    """
    (top, bottom), (left, right) = pad
    x = F.pad(x, [0, 0, left, right, top, bottom])
    n, h_in, w_in, c = x.shape
    _, ho, wo, _ = offset.shape
    cg = c // groups
    ch = (dh * (kh - 1)) // 2
    cw = (dw * (kw - 1)) // 2
    dt = x.dtype
    # Reference points (pixel centres, normalised) of the kernel centres.
    ref_y, ref_x = torch.meshgrid(
        torch.linspace(ch + 0.5, ch + 0.5 + (ho - 1) * sh, ho, dtype=dt),
        torch.linspace(cw + 0.5, cw + 0.5 + (wo - 1) * sw, wo, dtype=dt), indexing='ij')
    ref = torch.stack((ref_x.reshape(-1) / w_in, ref_y.reshape(-1) / h_in), -1)
    ref = ref.reshape(1, ho, wo, 1, 2)
    # Dilation grid, column-major: the kernel column is the outer index.
    gx, gy = torch.meshgrid(
        torch.linspace(-cw, -cw + (kw - 1) * dw, kw, dtype=dt),
        torch.linspace(-ch, -ch + (kh - 1) * dh, kh, dtype=dt), indexing='ij')
    grid = torch.stack([gx / w_in, gy / h_in], -1).reshape(-1, 2)  # [kw*kh, 2]
    if remove_center:
        centre = (kw // 2) * kh + kh // 2
        grid = torch.cat([grid[:centre], grid[centre + 1:]])
    points = grid.shape[0]
    grid = grid[None].repeat(groups, 1, 1).reshape(1, 1, 1, groups * points, 2)
    norm = torch.tensor([w_in, h_in], dtype=dt)
    loc = ref + grid * offset_scale  # [1, Ho, Wo, G*P, 2]
    loc = loc + offset.reshape(n, ho, wo, groups * points, 2) * offset_scale / norm
    grids = 2 * loc - 1
    x_ = x.reshape(n, h_in * w_in, c).transpose(1, 2).reshape(n * groups, cg, h_in, w_in)
    g_ = grids.reshape(n, ho * wo, groups, points, 2).transpose(1, 2).flatten(0, 1)
    s = F.grid_sample(x_, g_, mode='bilinear', padding_mode='zeros', align_corners=False)
    m = mask.reshape(n, ho * wo, groups, points).transpose(1, 2).reshape(
        n * groups, 1, ho * wo, points)
    out = (s * m).sum(-1).reshape(n, c, ho * wo)
    return out.transpose(1, 2).reshape(n, ho, wo, c)


def dcnv3_case(name, n, h, w, c, k, strides=1, pad=0, dilations=1, groups=1, offset_scale=1.0,
               remove_center=False):
    kh, kw, sh, sw, dh, dw, pad, top, bottom, left, right, ho, wo = window(
        h, w, k, strides, pad, dilations)
    ch = (dh * (kh - 1)) // 2
    cw = (dw * (kw - 1)) // 2
    taps = [(b, a) for a in range(kw) for b in range(kh)
            if not (remove_center and a == kw // 2 and b == kh // 2)]
    p = len(taps)
    x = uniform([n, h, w, c])
    offset = uniform([n, ho, wo, groups, p, 2], -2.5, 2.5)
    mask = uniform([n, ho, wo, groups * p], 0.0, 1.0)
    dy = uniform([n, ho, wo, c])
    s = np.float64(offset_scale)
    oh = np.arange(ho)[None, :, None, None, None]
    ow = np.arange(wo)[None, None, :, None, None]
    tb = np.array([t[0] for t in taps])[None, None, None, None, :]
    ta = np.array([t[1] for t in taps])[None, None, None, None, :]
    # Nudge offsets until no sample position (pixel units) is within 1e-3 of an integer.
    for _ in range(1000):
        o64 = offset.astype(np.float64)
        xs = ow * sw - left + cw + s * (ta * dw - cw + o64[..., 0])
        ys = oh * sh - top + ch + s * (tb * dh - ch + o64[..., 1])
        bad = np.stack([near_integer(xs), near_integer(ys)], -1)
        if not bad.any():
            break
        offset[bad] = f32(offset[bad] + 0.01)
    else:
        raise RuntimeError(f'{name}: could not move samples off integers')
    offset = offset.reshape(n, ho, wo, groups * p * 2)

    tx = t64(x, True)
    to = t64(offset, True)
    tm = t64(mask, True)
    y = dcnv3_core(tx, to, tm, kh, kw, sh, sw, pad, dh, dw, groups, offset_scale, remove_center)
    assert tuple(y.shape) == (n, ho, wo, c), y.shape
    loss = (y * t64(dy)).sum()
    gx, go, gm = torch.autograd.grad(loss, [tx, to, tm])
    return {
        'name': name,
        'attrs': {'kernelSize': [kh, kw], 'strides': [sh, sw], 'pad': pad,
                  'dilations': [dh, dw], 'groups': groups, 'offsetScale': offset_scale,
                  'removeCenter': remove_center},
        'inputs': {'x': enc_input(x), 'offset': enc_input(offset), 'mask': enc_input(mask)},
        'dy': enc_input(dy),
        'expected': {'y': enc_result(y.detach().numpy()),
                     'grads': {'x': enc_result(gx.numpy()), 'offset': enc_result(go.numpy()),
                               'mask': enc_result(gm.numpy())}},
    }


def gen_dcnv3():
    cases = [
        dcnv3_case('3x3 pad 1, 1 group', 1, 5, 5, 2, 3, pad=1),
        dcnv3_case('3x3 pad 1, 2 groups, offsetScale 0.75', 1, 4, 5, 4, 3, pad=1, groups=2,
                   offset_scale=0.75),
        dcnv3_case('3x3 stride 2 pad 1, 2 groups, batch 2', 2, 6, 5, 4, 3, strides=2, pad=1,
                   groups=2),
        dcnv3_case('3x3 dilation 2 pad 2, 3 channels', 1, 5, 5, 3, 3, pad=2, dilations=2),
        dcnv3_case('3x3 removeCenter, 2 groups, offsetScale 1.5', 1, 5, 5, 4, 3, pad=1, groups=2,
                   offset_scale=1.5, remove_center=True),
        dcnv3_case('3x2 kernel, asymmetric pad, stride (1,2), dilation (2,1)', 1, 6, 7, 2, [3, 2],
                   strides=[1, 2], pad=[[2, 1], [0, 1]], dilations=[2, 1]),
        dcnv3_case('3x3 valid, 3 groups, offsetScale 2', 1, 5, 5, 3, 3, groups=3, offset_scale=2.0),
        dcnv3_case('5x5 removeCenter pad 2, stride (2,1)', 1, 5, 4, 2, 5, strides=[2, 1], pad=2,
                   remove_center=True),
    ]
    write('dcnv3.json', "InternImage's dcnv3_core_pytorch (F.grid_sample), rewritten in the generator",
          cases,
          'x [N,H,W,C], offset [N,Ho,Wo,G*P*2] (dx, dy) per point, points column-major '
          '(p = a*kh + b, the centre skipped with removeCenter), mask [N,Ho,Wo,G*P]. Padding per '
          'side with F.pad(x, [0, 0, left, right, top, bottom]) (the original pads W by pad_h and H '
          'by pad_w, the same for its symmetric square use). Sample positions at least 1e-3 from '
          'an integer.')


# ---------------------------------------------------------------- Involution


def involution_case(name, n, h, w, c, k, strides=1, pad=None, dilations=1, groups=1):
    kh, kw, sh, sw, dh, dw, pad, top, bottom, left, right, ho, wo = window(
        h, w, k, strides, pad, dilations)
    x = uniform([n, h, w, c])
    kernel = uniform([n, ho, wo, groups * kh * kw])
    dy = uniform([n, ho, wo, c])

    tx = nchw(x, True)
    tk = nchw(kernel, True)  # [N, G*K, Ho, Wo]
    # RedNet's naive involution: unfold, weight per position and group, sum over the taps.
    cols = F.unfold(F.pad(tx, (left, right, top, bottom)), (kh, kw), dilation=(dh, dw),
                    padding=0, stride=(sh, sw))
    cols = cols.view(n, groups, c // groups, kh * kw, ho, wo)
    weight = tk.view(n, groups, kh * kw, ho, wo).unsqueeze(2)
    y = (weight * cols).sum(dim=3).view(n, c, ho, wo)
    loss = (y * nchw(dy)).sum()
    gx, gk = torch.autograd.grad(loss, [tx, tk])
    return {
        'name': name,
        'attrs': {'kernelSize': [kh, kw], 'strides': [sh, sw], 'pad': pad,
                  'dilations': [dh, dw], 'groups': groups},
        'inputs': {'x': enc_input(x), 'kernel': enc_input(kernel)},
        'dy': enc_input(dy),
        'expected': {'y': enc_result(nhwc(y)),
                     'grads': {'x': enc_result(nhwc(gx)), 'kernel': enc_result(nhwc(gk))}},
    }


def gen_involution():
    cases = [
        involution_case('3x3 same, 1 group', 1, 5, 5, 2, 3),
        involution_case('3x3 stride 2, 2 groups, batch 2', 2, 6, 5, 4, 3, strides=2, pad=1,
                        groups=2),
        involution_case('3x2 kernel dilation 2 asymmetric pad, 3 groups', 1, 6, 7, 6, [3, 2],
                        pad=[[2, 1], [1, 0]], dilations=2, groups=3),
        involution_case('5x5 pad 2 stride (1,2)', 1, 7, 7, 3, 5, strides=[1, 2], pad=2),
        involution_case('2x3 kernel stride (2,1) dilation (1,2) valid, 2 groups', 1, 6, 7, 4,
                        [2, 3], strides=[2, 1], pad=0, dilations=[1, 2], groups=2),
        involution_case('7x7 pad 3 stride 2, 2 groups', 1, 5, 5, 2, 7, strides=2, groups=2),
    ]
    write('involution.json', "RedNet's naive involution (F.unfold)", cases,
          'x [N,H,W,C], kernel [N,Ho,Wo,G*kh*kw] channel g*kh*kw + i*kw + j (the NCHW kernel '
          'permuted to channels-last); channel c uses group floor(c / (C/G)). Asymmetric pads by '
          'F.pad before the unfold.')


if __name__ == '__main__':
    gen_deform_conv2d()
    gen_deform_roi_pool()
    gen_dcnv3()
    gen_involution()
