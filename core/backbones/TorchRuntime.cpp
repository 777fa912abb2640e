#include "core/backbones/TorchRuntime.h"

#include <torch/torch.h>

#include <cstdlib>
#include <mutex>
#include <unistd.h>
#include <thread>

namespace ds {

void restartWithPassiveOpenMp(char* argv[])
{
    if (std::getenv("OMP_WAIT_POLICY"))
        return;
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);
}

void initTorchRuntime()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // OMP_NUM_THREADS, when set, caps the threads as it does for any OpenMP program: a
        // line PC that shares its cores, or several scoring processes side by side.
        const char* requested = std::getenv("OMP_NUM_THREADS");
        const int threads = requested ? std::atoi(requested) : 0;
        at::set_num_threads(threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency())));
    });
}

std::string computeDeviceName()
{
    return torch::cuda::is_available() ? "cuda" : "cpu";
}

std::string torchVersion()
{
    return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "."
        + std::to_string(TORCH_VERSION_PATCH);
}

} // namespace ds
