#include "app/cli/CliSupport.h"

#include "core/backbones/BackboneCatalog.h"

#include <QStringList>

#include <algorithm>
#include <cmath>

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

void addDetectorOptions(QCommandLineParser& parser)
{
    // The defaults are DetectorSettings' own, shared with the workbench's Train dialog.
    const ds::DetectorSettings defaults;
    QStringList methods, ownBackbones;
    for (const ds::DetectorInfo& info : ds::detectorRegistry()) {
        methods << QString::fromStdString(info.method);
        if (info.usesBackboneSetting && info.defaultBackbone != defaults.backbone)
            ownBackbones << QStringLiteral("%1 for %2").arg(qstr(info.defaultBackbone), qstr(info.method));
    }
    parser.addOption(
        {QStringLiteral("method"),
         QStringLiteral("Detection method: %1 (default %2).").arg(methods.join(QStringLiteral(", ")), qstr(defaults.method)),
         QStringLiteral("name"), qstr(defaults.method)});
    parser.addOption({QStringLiteral("backbone"),
                      QStringLiteral("Feature extractor: %1 (default %2, or the method's own: %3).")
                          .arg(qstr(ds::backboneChoices()), qstr(defaults.backbone), ownBackbones.join(QStringLiteral(", "))),
                      QStringLiteral("name")});
    parser.addOption({QStringLiteral("size"),
                      QStringLiteral("Image side in pixels the model works at (default %1).").arg(defaults.imageSize),
                      QStringLiteral("pixels"), QString::number(defaults.imageSize)});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Seed of the backbone initialisation and sampling (default 0)."),
                      QStringLiteral("n"), QStringLiteral("0")});
    const QString defaultAspect = defaults.automaticAspect ? QStringLiteral("auto")
        : defaults.keepAspectRatio                         ? QStringLiteral("keep")
                                                           : QStringLiteral("squash");
    parser.addOption(
        {QStringLiteral("aspect"),
         QStringLiteral("keep: every image at one scale, its shape kept; squash: every image resized to size x size; "
                        "auto: keep when the training images are far from square (default %1).")
             .arg(defaultAspect),
         QStringLiteral("auto|keep|squash"), defaultAspect});
    parser.addOption({QStringLiteral("adapt-bn"),
                      QStringLiteral("Re-estimate the builtin backbone's BatchNorm statistics on the good images (measured: "
                                     "worse on the synthetic sets).")});
    parser.addOption({QStringLiteral("param"),
                      QStringLiteral("Method parameter, repeatable (e.g. n_features=100, coreset_ratio=0.05)."),
                      QStringLiteral("key=value")});
}

// The settings the options give for method; with foreignParameters false a --param the
// method does not offer is an error, with true it is left out (compare: a parameter
// applies to the methods that offer it).
ds::DetectorSettings detectorSettingsFrom(const QCommandLineParser& parser, const std::string& method, bool foreignParameters)
{
    ds::DetectorSettings settings;
    settings.method = method;
    const ds::DetectorInfo& info = ds::detectorInfo(settings.method);
    settings.backbone
        = parser.isSet(QStringLiteral("backbone")) ? str(parser.value(QStringLiteral("backbone"))) : info.defaultBackbone;
    settings.imageSize = intOption(parser, QStringLiteral("size"));
    settings.seed = uint64_t(intOption(parser, QStringLiteral("seed")));
    settings.adaptBatchNorm = parser.isSet(QStringLiteral("adapt-bn"));
    const QString aspect = parser.value(QStringLiteral("aspect"));
    if (aspect != QStringLiteral("keep") && aspect != QStringLiteral("squash") && aspect != QStringLiteral("auto"))
        throw UsageError("--aspect takes auto, keep or squash, got '" + str(aspect) + "'");
    settings.keepAspectRatio = aspect == QStringLiteral("keep");
    settings.automaticAspect = aspect == QStringLiteral("auto");
    for (const QString& entry : parser.values(QStringLiteral("param"))) {
        const qsizetype equals = entry.indexOf(QLatin1Char('='));
        bool ok = false;
        const double value = equals > 0 ? entry.mid(equals + 1).toDouble(&ok) : 0.0;
        if (!ok)
            throw UsageError("--param needs key=number, got '" + str(entry) + "'");
        const std::string key = str(entry.left(equals));
        const bool known = std::any_of(info.parameters.begin(), info.parameters.end(),
                                       [&](const ds::ParameterSpec& spec) { return spec.key == key; });
        if (known)
            settings.parameters[key] = value;
        else if (!foreignParameters)
            throw UsageError(settings.method + " has no parameter '" + key + "'");
    }
    return settings;
}

ds::DetectorSettings detectorSettingsFrom(const QCommandLineParser& parser)
{
    return detectorSettingsFrom(parser, str(parser.value(QStringLiteral("method"))));
}

void printSkipped(const std::vector<ds::SkippedFile>& skipped)
{
    if (skipped.empty())
        return;
    std::cerr << skipped.size() << " file(s) skipped:\n";
    for (const auto& file : skipped)
        std::cerr << "  " << file.reason << "\n";
}

std::string formatMetric(double value)
{
    if (!std::isfinite(value))
        return "n/a";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", value);
    return buffer;
}

} // namespace ds::cli
