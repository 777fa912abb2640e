#pragma once
// A small TorchScript backbone made by a test, standing in for an exported torchvision model.
// Include before Qt headers: Qt's keywords would break LibTorch's.
#include <torch/script.h>

#include <QTemporaryDir>

#include <string>

namespace ds::test {

inline const char* const kTwoLayerForward = R"(
def forward(self, x):
    a = torch.conv2d(x, self.w2, None, [8, 8], [1, 1])
    b = torch.conv2d(a, self.w3, None, [2, 2], [1, 1])
    return (a, b)
)";

inline std::string writeTinyTorchScript(const QTemporaryDir& dir, const std::string& forward = kTwoLayerForward)
{
    torch::jit::Module module("TinyBackbone");
    module.register_parameter("w2", torch::randn({6, 3, 3, 3}), false);
    module.register_parameter("w3", torch::randn({10, 6, 3, 3}), false);
    module.define(forward);
    const std::string path = dir.filePath(QStringLiteral("tiny.pt")).toStdString();
    module.save(path);
    return path;
}

} // namespace ds::test
