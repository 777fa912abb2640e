#!/usr/bin/env python3
"""Export a torchvision ResNet as a TorchScript backbone for DefectScope.

Run this where torchvision and its pretrained weights are available (DefectScope itself
never downloads anything), then copy the .pt file to the offline machine and pass it as
`--backbone FILE.pt` on the command line.

    python3 export_backbone.py --arch wide_resnet50_2 --out wide_resnet50_2_imagenet.pt
    python3 export_backbone.py --arch resnet18 --weights my_finetuned.pth --out r18.pt

The exported module's forward(x) takes a float batch B x 3 x H x W, RGB, normalised with
the ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) -- DefectScope does
this normalisation -- and returns the tuple (layer1, layer2, layer3) of feature maps at
strides 4, 8 and 16, finest first. Any module with that contract works (at least two maps).
"""
import argparse

import torch
import torchvision


class ResNetTrunk(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.stem = torch.nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.layer1, self.layer2, self.layer3 = net.layer1, net.layer2, net.layer3

    def forward(self, x):
        f1 = self.layer1(self.stem(x))
        f2 = self.layer2(f1)
        f3 = self.layer3(f2)
        return f1, f2, f3


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", default="wide_resnet50_2", help="torchvision architecture name")
    parser.add_argument("--weights", help="state_dict .pth to load instead of torchvision's ImageNet weights")
    parser.add_argument("--out", required=True, help="TorchScript file to write")
    args = parser.parse_args()

    if args.weights:
        net = getattr(torchvision.models, args.arch)(weights=None)
        net.load_state_dict(torch.load(args.weights, map_location="cpu"))
    else:
        net = getattr(torchvision.models, args.arch)(weights="DEFAULT")
    trunk = ResNetTrunk(net).eval()
    with torch.no_grad():
        scripted = torch.jit.trace(trunk, torch.zeros(1, 3, 256, 256))
    scripted = torch.jit.freeze(scripted)
    scripted.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
