#include "core/storage/RunOwner.h"

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ds {
namespace {

std::string hostName()
{
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0)
        return "unknown-host";
    return name;
}

std::string bootId()
{
    std::ifstream file("/proc/sys/kernel/random/boot_id");
    std::string id;
    file >> id;
    return id.empty() ? "unknown-boot" : id;
}

// Field 22 of /proc/PID/stat: when the process started, in clock ticks after boot. With
// the pid it names one process even after the pid is reused. Empty when there is none.
std::string startTicks(long pid)
{
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    // The command name (field 2) may hold spaces; fields after it follow its last ')'.
    const size_t end = stat.rfind(')');
    if (end == std::string::npos)
        return {};
    std::istringstream fields(stat.substr(end + 2));
    std::string field;
    for (int index = 3; index <= 22 && fields >> field; ++index)
        if (index == 22)
            return field;
    return {};
}

} // namespace

std::string currentRunOwner()
{
    const long pid = long(getpid());
    return hostName() + " " + bootId() + " " + std::to_string(pid) + " " + startTicks(pid);
}

bool runOwnerIsGone(const std::string& owner)
{
    std::istringstream fields(owner);
    std::string host, boot, ticks;
    long pid = 0;
    if (!(fields >> host >> boot >> pid >> ticks))
        return true;
    if (host != hostName())
        return false;
    return boot != bootId() || startTicks(pid) != ticks;
}

} // namespace ds
