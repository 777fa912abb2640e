#pragma once
#include <string>

namespace ds {

// Sets LibTorch's intra-op threads to the machine's cores (LibTorch starts with 1 on
// Debian). Call once at start-up, before any job runs. Idempotent.
void initTorchRuntime();

// "cuda" when a CUDA device is usable, otherwise "cpu": detectors run where this says.
std::string computeDeviceName();

// Versions shown in --version and Help → About.
std::string torchVersion();

} // namespace ds
