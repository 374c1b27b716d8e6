"""The formula fill of test/fixtures/models/formula.json, vectorised with numpy."""

import json
import os
import re

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, 'test', 'fixtures', 'models', 'formula.json')) as f:
    RULES = json.load(f)['rules']


def fnv1a32(key):
    h = 0x811C9DC5
    for byte in key.encode('utf-8'):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def fmix32(x):
    x = x ^ (x >> np.uint64(16))
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
    x = x ^ (x >> np.uint64(13))
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(0xFFFFFFFF)
    return x ^ (x >> np.uint64(16))


def rule_for(key, rank):
    for rule in RULES:
        if re.search(rule['pattern'], key) and rule.get('rank', rank) == rank:
            return rule
    raise KeyError(key)


def formula_values(key, shape):
    """float32 numpy array of `shape` (PyTorch layout) for `key`."""
    size = int(np.prod(shape)) if len(shape) else 1
    rule = rule_for(key, len(shape))
    i = np.arange(size, dtype=np.uint64)
    x = fmix32((i * np.uint64(0x9E3779B1) + np.uint64(fnv1a32(key))) & np.uint64(0xFFFFFFFF))
    u = x.astype(np.float64) / 2.0**31 - 1.0
    amplitude = rule['amplitude']
    if rule.get('perFanIn'):
        amplitude = amplitude * np.sqrt(3.0 / int(np.prod(shape[1:])))
    return (rule['center'] + amplitude * u).astype(np.float32).reshape(shape)


def fill_state(module):
    """Every float parameter and buffer of `module` from the formula (integer buffers left alone)."""
    import torch
    with torch.no_grad():
        for key, t in module.state_dict(keep_vars=True).items():
            if t.dtype.is_floating_point:
                t.copy_(torch.from_numpy(formula_values(key, list(t.shape))))
