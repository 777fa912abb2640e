#pragma once
// POSIX locks this process holds on a file, as /proc/locks lists them
// ("1: POSIX ADVISORY READ <pid> <major>:<minor>:<inode> <start> <end>"): SQLite's locks
// on a project, which any close() of another descriptor of that file would drop.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace ds::test {

inline int locksHeldOn(const std::string& file)
{
    struct stat status { };
    if (::stat(file.c_str(), &status) != 0)
        return -1;
    std::ifstream locks("/proc/locks");
    int held = 0;
    for (std::string line; std::getline(locks, line);) {
        std::istringstream fields(line);
        std::string number, kind, advisory, access, device;
        long pid = 0;
        if (fields >> number >> kind >> advisory >> access >> pid >> device && kind == "POSIX" && pid == long(::getpid())
            && device.substr(device.rfind(':') + 1) == std::to_string(status.st_ino))
            ++held;
    }
    return held;
}

} // namespace ds::test
