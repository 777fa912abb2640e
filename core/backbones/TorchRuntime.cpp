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
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
        at::set_num_threads(int(cores));
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
