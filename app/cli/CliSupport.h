#pragma once
// What every defectscope-cli verb shares: exit codes, usage errors, option parsing and a
// job whose progress goes to stderr and which Ctrl+C cancels.
#include "core/detectors/Detector.h"
#include "core/jobs/ImageBatchLoader.h"
#include "core/jobs/JobContext.h"

#include <QCommandLineParser>
#include <QString>

#include <stdexcept>
#include <string>
#include <vector>

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

// --method, --backbone, --size, --seed, --aspect, --adapt-bn and --param.
void addDetectorOptions(QCommandLineParser& parser);
// The settings those options give for method; with foreignParameters false a --param the
// method does not offer is an error, with true it is left out (compare: a parameter
// applies to the methods that offer it).
ds::DetectorSettings detectorSettingsFrom(const QCommandLineParser& parser, const std::string& method,
                                          bool foreignParameters = false);
// The settings for --method.
ds::DetectorSettings detectorSettingsFrom(const QCommandLineParser& parser);
// Files left out of a job, with the reason, on stderr.
void printSkipped(const std::vector<ds::SkippedFile>& skipped);
// "0.953", or "n/a" when not finite.
std::string formatMetric(double value);

// The verbs that live in files of their own.
int runSynthPreview(const QStringList& arguments);
int runEvaluate(const QStringList& arguments);
int runCompare(const QStringList& arguments);
int runMakeDemo(const QStringList& arguments);
int runDemo(const QStringList& arguments);

} // namespace ds::cli
