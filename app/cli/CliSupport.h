#pragma once
// What every defectscope-cli verb shares: exit codes, usage errors, option parsing and a
// job whose progress goes to stderr and which Ctrl+C cancels.
#include "core/jobs/JobContext.h"

#include <QCommandLineParser>
#include <QString>

#include <stdexcept>
#include <string>

namespace ds::cli {

constexpr int kExitOk = 0, kExitFailure = 1, kExitUsage = 2, kExitBadInput = 3, kExitCancelled = 130;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline std::string str(const QString& text)
{
    return text.toStdString();
}
inline QString qstr(const std::string& text)
{
    return QString::fromStdString(text);
}

// For SIGINT / SIGTERM: cancels the running ConsoleJob (an atomic store only).
void cancelOnSignal(int);

void endConsoleProgress();

// The job of one verb: progress on stderr, cancelled by Ctrl+C.
struct ConsoleJob {
    ConsoleJob();
    ~ConsoleJob();
    ConsoleJob(const ConsoleJob&) = delete;
    ConsoleJob& operator=(const ConsoleJob&) = delete;
    ds::JobContext context;
};

QCommandLineParser& newParser(QCommandLineParser& parser, const QString& verb, const QString& description);
// Throws UsageError; prints the help and exits on --help.
void parseOrThrow(QCommandLineParser& parser, const QStringList& arguments);
QString required(const QCommandLineParser& parser, const QString& name);
int intOption(const QCommandLineParser& parser, const QString& name);

// The verbs that live in files of their own.
int runSynthPreview(const QStringList& arguments);

} // namespace ds::cli
