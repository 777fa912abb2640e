#include "app/cli/CliSupport.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace ds::cli {

namespace {
std::atomic<ds::JobContext*> g_runningJob {nullptr}; // read by the signal handler

// Progress on one rewritten stderr line when it is a terminal, else one line per stage.
void attachConsoleProgress(ds::JobContext& job)
{
    const bool terminal = isatty(fileno(stderr));
    auto lastStage = std::make_shared<std::string>();
    auto lastPercent = std::make_shared<int>(-1);
    job.setProgressCallback([=](double fraction, const std::string& stage) {
        const int percent = int(fraction * 100.0);
        if (terminal) {
            if (percent != *lastPercent || stage != *lastStage)
                std::fprintf(stderr, "\r\033[K[%3d%%] %s", percent, stage.c_str());
        } else if (stage != *lastStage) {
            std::fprintf(stderr, "[%3d%%] %s\n", percent, stage.c_str());
        }
        *lastStage = stage;
        *lastPercent = percent;
    });
    job.setLogCallback(
        [terminal](const std::string& line) { std::fprintf(stderr, "%s%s\n", terminal ? "\r\033[K" : "", line.c_str()); });
}

} // namespace

void cancelOnSignal(int)
{
    if (ds::JobContext* job = g_runningJob.load())
        job->cancel(); // only an atomic store: safe in a signal handler
}

void endConsoleProgress()
{
    if (isatty(fileno(stderr)))
        std::fprintf(stderr, "\r\033[K");
}

ConsoleJob::ConsoleJob()
{
    g_runningJob = &context;
    attachConsoleProgress(context);
}

ConsoleJob::~ConsoleJob()
{
    g_runningJob = nullptr;
}

QCommandLineParser& newParser(QCommandLineParser& parser, const QString& verb, const QString& description)
{
    parser.setApplicationDescription(QStringLiteral("defectscope-cli %1: %2").arg(verb, description));
    parser.addHelpOption();
    return parser;
}

void parseOrThrow(QCommandLineParser& parser, const QStringList& arguments)
{
    if (!parser.parse(arguments))
        throw UsageError(str(parser.errorText()));
    if (parser.isSet(QStringLiteral("help"))) {
        std::cout << str(parser.helpText());
        std::exit(kExitOk);
    }
}

QString required(const QCommandLineParser& parser, const QString& name)
{
    const QString value = parser.value(name);
    if (value.isEmpty())
        throw UsageError("--" + str(name) + " is required");
    return value;
}

int intOption(const QCommandLineParser& parser, const QString& name)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok)
        throw UsageError("--" + str(name) + " needs a whole number, got '" + str(parser.value(name)) + "'");
    return value;
}

} // namespace ds::cli
