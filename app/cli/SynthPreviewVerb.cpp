// defectscope-cli synth-preview: what the from-scratch methods are taught, as pictures.
#include "app/cli/CliSupport.h"
#include "core/data/Dataset.h"
#include "core/synthesis/SynthesisPreview.h"

#include <filesystem>
#include <iostream>

namespace ds::cli {

int runSynthPreview(const QStringList& arguments)
{
    QCommandLineParser parser;
    newParser(parser, QStringLiteral("synth-preview"),
              QStringLiteral("draw generated defects on good images and write them with their masks and a preview sheet "
                             "into --out: what the from-scratch methods (draem, cutpaste, selfsup) are taught."));
    parser.addOption({QStringLiteral("dataset"),
                      QStringLiteral("An MVTec-layout dataset (its train/good is used) or a "
                                     "folder of good images."),
                      QStringLiteral("DIR")});
    parser.addOption(
        {QStringLiteral("out"), QStringLiteral("Folder to write into (created if missing)."), QStringLiteral("DIR")});
    parser.addOption(
        {QStringLiteral("count"), QStringLiteral("Samples to draw (default 16)."), QStringLiteral("n"), QStringLiteral("16")});
    parser.addOption({QStringLiteral("size"), QStringLiteral("Image side in pixels (default 256)."), QStringLiteral("pixels"),
                      QStringLiteral("256")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Seed (default 0)."), QStringLiteral("n"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("content"),
                      QStringLiteral("Kind of defect content: all, texture, other-image, "
                                     "cut-paste or line (default all)."),
                      QStringLiteral("kind"), QStringLiteral("all")});
    parser.addOption({QStringLiteral("foreground-only"), QStringLiteral("Defects only on the part, not on a plain background.")});
    parseOrThrow(parser, arguments);
    const std::string dataset = str(required(parser, QStringLiteral("dataset")));
    const std::string out = str(required(parser, QStringLiteral("out")));
    ds::SynthesisPreviewOptions options;
    options.count = intOption(parser, QStringLiteral("count"));
    options.side = intOption(parser, QStringLiteral("size"));
    options.seed = uint64_t(intOption(parser, QStringLiteral("seed")));
    options.mix.foregroundOnly = parser.isSet(QStringLiteral("foreground-only"));
    const QString content = parser.value(QStringLiteral("content"));
    if (content != QStringLiteral("all")) {
        ds::AnomalyMix only {0, 0, 0, 0, options.mix.foregroundOnly};
        if (content == QStringLiteral("texture"))
            only.texture = 1;
        else if (content == QStringLiteral("other-image"))
            only.otherImage = 1;
        else if (content == QStringLiteral("cut-paste"))
            only.sameImage = 1;
        else if (content == QStringLiteral("line"))
            only.line = 1;
        else
            throw UsageError("--content takes all, texture, other-image, cut-paste or line, got '" + str(content) + "'");
        options.mix = only;
    }
    const std::filesystem::path goodFolder = std::filesystem::path(dataset) / "train" / "good";
    std::error_code ec;
    const std::vector<std::string> images
        = ds::listImageFiles(std::filesystem::is_directory(goodFolder, ec) ? goodFolder.string() : dataset);
    ConsoleJob console;
    const std::vector<std::string> written = ds::writeSynthesisPreview(images, out, options, console.context);
    std::cout << written.back() << "\n";
    return kExitOk;
}

} // namespace ds::cli
