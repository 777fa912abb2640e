#pragma once
#include <string>

// Who is writing a run: enough to tell, when a project is opened again, whether the
// process that began scoring is still alive or was killed (a crash, kill -9, power cut).
namespace ds {

// "host boot-id pid start-ticks" of this process.
std::string currentRunOwner();

// True when owner names a process of this machine that no longer runs (or a previous
// boot of it, or is empty: runs stored before owners were recorded). A process of another
// machine sharing the file cannot be checked: false.
bool runOwnerIsGone(const std::string& owner);

} // namespace ds
