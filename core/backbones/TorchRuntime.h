#pragma once
#include <string>

namespace ds {

// libgomp reads OMP_WAIT_POLICY once, when the library loads: if it is unset, sets it to
// PASSIVE and re-executes this program so LibTorch's idle threads sleep instead of
// spinning against the UI or other workers. Call first thing in main(); returns when the
// policy is already set (or re-execution is impossible).
void restartWithPassiveOpenMp(char* argv[]);

// Sets LibTorch's intra-op threads to the machine's cores (LibTorch starts with 1 on
// Debian), or to OMP_NUM_THREADS when that is set. Call once at start-up, before any job runs. Idempotent.
void initTorchRuntime();

// "cuda" when a CUDA device is usable, otherwise "cpu": detectors run where this says.
std::string computeDeviceName();

// Versions shown in --version and Help → About.
std::string torchVersion();

} // namespace ds
