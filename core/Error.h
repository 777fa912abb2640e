#pragma once
#include <stdexcept>
#include <string>

namespace ds {

// Every failure core reports to a front end: the message is written for the user
// (what failed, on which file, why) and is shown as it is.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bad input from the user's side (unreadable image, broken project or model file):
// the CLI maps it to exit code 3.
class InputError : public Error {
public:
    using Error::Error;
};

// A file name as messages show it: in single quotes, so spaces and empty names are seen.
inline std::string quoted(const std::string& path)
{
    return "'" + path + "'";
}

// Thrown by JobContext::throwIfCancelled(); never shown as an error.
class Cancelled : public Error {
public:
    Cancelled()
        : Error("cancelled")
    {
    }
};

} // namespace ds
