#include "report/ReportHtml.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"
#include "core/data/Overlay.h"
#include "core/detectors/Detector.h"
#include "report/ReportPlots.h"

#include <QBuffer>
#include <QDateTime>
#include <QRegularExpression>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>

namespace ds::report {
namespace {

// Sizes in CSS pixels (1/96 inch): the PDF's text is 680 px wide (A4 less 15 mm margins).
constexpr int kOverlayRenderSide = 192; // pixels of the overlay's long side, twice what is shown
constexpr int kOverlayShownSide = 96;
// A row of the flagged images' table is about as tall as its overlay: this many fit on a
// page under the section's heading. The table is split by hand because QTextDocument would
// cut a row, overlay and all, at the bottom of a page.
constexpr size_t kFlaggedRowsPerPage = 8;
const QSize kPlotSize(328, 228); // two side by side
const QSize kComparisonPlotSize(480, 330);

// Only what both browsers and QTextDocument understand.
const char* const kStyle = R"(
body { font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; font-size: 9.5pt; color: #222222; max-width: 60em; }
h1 { font-size: 14pt; margin-bottom: 2px; }
h2 { font-size: 12.5pt; color: #1f3a5f; margin-top: 14px; margin-bottom: 6px; }
p { margin-top: 3px; margin-bottom: 5px; }
p.subtitle { color: #666666; margin-top: 0px; }
.explain { color: #555555; font-size: 8.5pt; }
table.data { border-collapse: collapse; margin-bottom: 6px; }
table.data th { background-color: #eef2f6; text-align: left; font-weight: bold; border: 1px solid #c9d2dc; padding: 3px 6px; }
table.data td { border: 1px solid #c9d2dc; padding: 3px 6px; }
td.metric, td.number { text-align: right; }
td.metric { font-weight: bold; }
td.note { color: #666666; font-size: 8.5pt; }
td.defect { color: #b03a2e; font-weight: bold; }
td.good { color: #1e6f9f; font-weight: bold; }
tr.this-model td { background-color: #f6f8e8; }
.page { page-break-before: always; }
)";

QString dash()
{
    return QString(QChar(0x2014));
}
QString escaped(const std::string& text)
{
    return QString::fromStdString(text).toHtmlEscaped();
}
QString fixed(double value, int decimals = 3)
{
    return QString::number(value, 'f', decimals);
}
// Thresholds and scores are in the detector's own units: four significant digits, kept
// when they are zeros (16.00, 8.876, 0.1234).
QString scoreText(double value)
{
    if (value == 0.0 || !std::isfinite(value))
        return QString::number(value);
    const int decimals = std::clamp(3 - int(std::floor(std::log10(std::abs(value)))), 0, 12);
    return QString::number(value, 'f', decimals);
}
QString count(int value)
{
    return QString::number(value);
}
QString optionalFixed(const std::optional<double>& value, int decimals = 3)
{
    return value ? fixed(*value, decimals) : dash();
}

// "2026-11-22T14:18:52.812Z" as "2026-11-22 14:18 UTC".
QString when(const std::string& isoUtc)
{
    const QDateTime time = QDateTime::fromString(QString::fromStdString(isoUtc), Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")) : escaped(isoUtc);
}

// A model's settings (DetectorSettings::toJson) without the method and backbone, shown
// apart: "image_size = 64, seed = 0, n_features = 100"; the method's own parameters inline.
// The model's settings as the Train dialog names them ("Image size: 256 px, …, Steps: 100"),
// a named choice by its name; settings this version cannot read, as stored.
QString settingsText(const std::string& json)
{
    ds::DetectorSettings settings;
    const ds::DetectorInfo* info = nullptr;
    try {
        settings = ds::DetectorSettings::fromJson(json);
        info = &ds::detectorInfo(settings.method);
    } catch (const std::exception&) {
        return escaped(json);
    }
    QStringList parts;
    parts << QStringLiteral("Image size: %1 px").arg(settings.imageSize);
    parts << QStringLiteral("Image shape: ")
            + (settings.automaticAspect       ? QStringLiteral("automatic")
                   : settings.keepAspectRatio ? QStringLiteral("kept")
                                              : QStringLiteral("squashed to a square"));
    for (const ds::ParameterSpec& spec : info->parameters) {
        const auto value = settings.parameters.find(spec.key);
        if (value == settings.parameters.end())
            continue;
        const int index = int(value->second);
        const QString shown = !spec.choices.empty() && index >= 0 && index < int(spec.choices.size())
            ? QString::fromStdString(spec.choices[size_t(index)])
            : QString::number(value->second, 'g', 6);
        parts << QString::fromStdString(spec.label).remove(QLatin1Char('&')).remove(QRegularExpression(QStringLiteral(":$")))
                + QStringLiteral(": ") + shown;
    }
    return parts.join(QStringLiteral(", ")).toHtmlEscaped();
}

QString cell(const QString& content, const QString& cssClass = {})
{
    return (cssClass.isEmpty() ? QStringLiteral("<td>") : QStringLiteral("<td class=\"") + cssClass + QStringLiteral("\">"))
        + content + QStringLiteral("</td>");
}

// widths: percentages of the table's width, one per header, or none.
QString headerRow(const QStringList& headers, const std::vector<int>& widths = {})
{
    QString row = QStringLiteral("<tr>");
    for (qsizetype i = 0; i < headers.size(); ++i)
        row += (widths.empty() ? QStringLiteral("<th>")
                               : QStringLiteral("<th width=\"") + count(widths[size_t(i)]) + QStringLiteral("%\">"))
            + headers[i] + QStringLiteral("</th>");
    return row + QStringLiteral("</tr>");
}

QString factRow(const QString& name, const QString& value, const QString& id = {})
{
    const QString idAttribute = id.isEmpty() ? QString() : QStringLiteral(" id=\"") + id + QStringLiteral("\"");
    return QStringLiteral("<tr><th>") + name + QStringLiteral("</th><td") + idAttribute + QStringLiteral(">") + value
        + QStringLiteral("</td></tr>");
}

QString metricCell(const QString& id, const QString& value)
{
    return QStringLiteral("<td class=\"metric\" id=\"") + id + QStringLiteral("\">") + value + QStringLiteral("</td>");
}

QString metricRow(const QString& id, const QString& name, const QString& value, const QString& note)
{
    return QStringLiteral("<tr><th>") + name + QStringLiteral("</th>") + metricCell(id, value)
        + cell(note, QStringLiteral("note")) + QStringLiteral("</tr>");
}

QString imageTag(const ImageSource& imageSource, const QString& name, const QByteArray& png, QSize shown, const QString& alt)
{
    return QStringLiteral("<img src=\"") + imageSource(name, png) + QStringLiteral("\" width=\"") + count(shown.width())
        + QStringLiteral("\" height=\"") + count(shown.height()) + QStringLiteral("\" alt=\"") + alt.toHtmlEscaped()
        + QStringLiteral("\">");
}

QString plotTag(const ImageSource& imageSource, const QString& name, const QImage& plot, const QString& alt)
{
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    plot.save(&buffer, "PNG");
    return imageTag(imageSource, name, png, plot.deviceIndependentSize().toSize(), alt);
}

QString verdictCell(const std::optional<Verdict>& verdict)
{
    if (!verdict)
        return cell(dash());
    const QString name = QString::fromLatin1(verdictName(*verdict));
    return cell(name,
                *verdict == Verdict::Defect     ? QStringLiteral("defect")
                    : *verdict == Verdict::Good ? QStringLiteral("good")
                                                : QString());
}

QString header(const ReportData& report)
{
    const QString model = escaped(report.measured.model.name);
    return QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>DefectScope report: ") + model
        + QStringLiteral("</title><style>") + QLatin1String(kStyle) + QStringLiteral("</style></head><body>\n")
        + QStringLiteral("<h1>") + model + QStringLiteral("</h1>")
        + QStringLiteral("<p class=\"subtitle\">Anomaly detection report on ") + escaped(report.project.path)
        + QStringLiteral("<br>Generated ") + when(report.createdAt) + QStringLiteral(" by DefectScope ")
        + QStringLiteral(DEFECTSCOPE_VERSION) + QStringLiteral("</p>\n");
}

QString projectAndModel(const ReportData& report)
{
    const ReportProjectSummary& project = report.project;
    const int total = project.trainImages + project.testImages + project.holdoutImages;
    QString html
        = QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"0\"><tr><td width=\"48%\" valign=\"top\">");
    html += QStringLiteral("<h2>Project</h2><table class=\"data\" width=\"100%\">");
    html += factRow(QStringLiteral("Images"),
                    count(total) + QStringLiteral(" (") + count(project.trainImages) + QStringLiteral(" train, ")
                        + count(project.testImages) + QStringLiteral(" test, ") + count(project.holdoutImages)
                        + QStringLiteral(" in the holdout split)"),
                    QStringLiteral("project-images"));
    html += factRow(QStringLiteral("Good"), count(project.goodImages), QStringLiteral("project-good"));
    html += factRow(QStringLiteral("Defective"), count(project.defectiveImages), QStringLiteral("project-defective"));
    html += factRow(QStringLiteral("Unknown"), count(project.unknownImages), QStringLiteral("project-unknown"));
    html += factRow(QStringLiteral("Reviewed"), count(project.reviewedImages), QStringLiteral("project-reviewed"));
    html += QStringLiteral("</table><p class=\"explain\">Good and defective by a reviewer's latest verdict, else by the "
                           "dataset label; unknown: neither.</p>");

    const ModelRecord& model = report.measured.model;
    const RunRecord& run = report.measured.run;
    html += QStringLiteral(
        "</td><td width=\"4%\"></td><td width=\"48%\" valign=\"top\"><h2>Model</h2><table class=\"data\" width=\"100%\">");
    html += factRow(QStringLiteral("Name"),
                    escaped(model.name) + QStringLiteral(" (id ") + count(int(model.id)) + QStringLiteral(")"));
    html += factRow(QStringLiteral("Method"), escaped(model.method) + QStringLiteral(" on ") + escaped(model.backbone));
    html += factRow(QStringLiteral("Settings"), settingsText(model.paramsJson));
    // What was held out to set the threshold is said, not hidden in the count.
    const QString heldOut = model.nHeldOut
        ? QStringLiteral(" (") + count(*model.nHeldOut) + QStringLiteral(" more held out to set the threshold)")
        : QString();
    html += factRow(QStringLiteral("Trained"),
                    count(model.nTrain) + QStringLiteral(" images") + heldOut + QStringLiteral(" in ")
                        + fixed(model.trainSeconds, 1) + QStringLiteral(" s, ") + when(model.createdAt));
    html += factRow(QStringLiteral("Scored"),
                    QStringLiteral("run ") + count(int(run.id)) + QStringLiteral(": ") + count(int(report.scoredImages.size()))
                        + QStringLiteral(" images, ") + when(run.finishedAt));
    return html + QStringLiteral("</table></td></tr></table>\n");
}

QString thresholdNote(const ThresholdChoice& threshold)
{
    switch (threshold.source) {
    case ThresholdSource::Given: return QStringLiteral("given for this report");
    case ThresholdSource::Chosen: return QStringLiteral("chosen in the workbench");
    case ThresholdSource::Run: return QStringLiteral("the model's default, applied by the run");
    }
    return {};
}

QString metricsSection(const ReportData& report)
{
    const RunMetrics& metrics = report.measured.metrics;
    const Confusion& confusion = report.confusion;
    const QString imageNote = QStringLiteral("needs both good and defective images (labels or verdicts)");
    const QString pixelNote = metrics.nWithMask == 0 ? QStringLiteral("needs a defective image with a ground-truth mask")
                                                     : QStringLiteral("needs both defect and defect-free pixels");
    const bool imageMetrics = metrics.imageAuroc.has_value();
    const bool pixelMetrics = metrics.pixelAuroc.has_value();

    QString html = QStringLiteral("<h2>Metrics</h2><p>Measured on the ") + count(metrics.nGood + metrics.nDefective)
        + QStringLiteral(" scored images whose truth is known: ") + count(metrics.nGood) + QStringLiteral(" good, ")
        + count(metrics.nDefective) + QStringLiteral(" defective (") + count(metrics.nWithMask)
        + QStringLiteral(" with a mask); ") + count(metrics.nReviewed) + QStringLiteral(" of them judged by a reviewer. ")
        + count(metrics.nUnknown) + QStringLiteral(" scored images of unknown truth are left out.</p>");
    html += QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"0\"><tr><td width=\"60%\" valign=\"top\">");
    html += QStringLiteral("<table class=\"data\" width=\"100%\">")
        + headerRow({QStringLiteral("Metric"), QStringLiteral("Value"), QStringLiteral("Note")}, {34, 14, 52});
    html += metricRow(QStringLiteral("image-auroc"), QStringLiteral("Image AUROC"), optionalFixed(metrics.imageAuroc),
                      imageMetrics ? QString() : imageNote);
    html += metricRow(QStringLiteral("pixel-auroc"), QStringLiteral("Pixel AUROC"), optionalFixed(metrics.pixelAuroc),
                      pixelMetrics ? QString() : pixelNote);
    html += metricRow(QStringLiteral("aupro"), QStringLiteral("AUPRO"), optionalFixed(metrics.aupro),
                      metrics.aupro ? QStringLiteral("up to 30 % false positive rate") : pixelNote);
    html += metricRow(QStringLiteral("f1-max"), QStringLiteral("F1-max"), optionalFixed(metrics.f1Max),
                      metrics.f1Max ? QString() : imageNote);
    html += metricRow(QStringLiteral("f1-threshold"), QStringLiteral("F1-optimal threshold"),
                      metrics.f1Max ? scoreText(metrics.f1Threshold) : dash(),
                      metrics.f1Max ? QStringLiteral("where F1-max is reached") : imageNote);
    html += metricRow(QStringLiteral("threshold"), QStringLiteral("Threshold"), scoreText(report.threshold.value),
                      thresholdNote(report.threshold));
    const int flaggedKnown = confusion.tp + confusion.fp;
    const int defective = confusion.tp + confusion.fn;
    html += metricRow(QStringLiteral("precision"), QStringLiteral("Precision"),
                      flaggedKnown > 0 ? fixed(double(confusion.tp) / flaggedKnown) : dash(),
                      flaggedKnown > 0 ? QStringLiteral("flagged images that are defective")
                                       : QStringLiteral("needs a flagged image of known truth"));
    html += metricRow(
        QStringLiteral("recall"), QStringLiteral("Recall"), defective > 0 ? fixed(double(confusion.tp) / defective) : dash(),
        defective > 0 ? QStringLiteral("defective images that are flagged") : QStringLiteral("needs defective images"));
    html += metricRow(QStringLiteral("ms-per-image"), QStringLiteral("Scoring time"),
                      metrics.msPerImage ? fixed(*metrics.msPerImage, 1) : dash(),
                      metrics.msPerImage ? QStringLiteral("ms per image") : QStringLiteral("not recorded for this run"));
    html += metricRow(QStringLiteral("train-seconds"), QStringLiteral("Training time"), fixed(metrics.trainSeconds, 1),
                      QStringLiteral("seconds"));
    html += QStringLiteral("</table></td><td width=\"3%\"></td><td width=\"37%\" valign=\"top\">");
    html += QStringLiteral("<p><b>At the threshold ") + scoreText(report.threshold.value) + QStringLiteral("</b></p>");

    html += QStringLiteral("<table class=\"data\" width=\"100%\">")
        + headerRow({QString(), QStringLiteral("Flagged"), QStringLiteral("Passed")}, {38, 31, 31});
    html += QStringLiteral("<tr><th>Defective</th>") + metricCell(QStringLiteral("true-positives"), count(confusion.tp))
        + metricCell(QStringLiteral("false-negatives"), count(confusion.fn)) + QStringLiteral("</tr>");
    html += QStringLiteral("<tr><th>Good</th>") + metricCell(QStringLiteral("false-positives"), count(confusion.fp))
        + metricCell(QStringLiteral("true-negatives"), count(confusion.tn)) + QStringLiteral("</tr>");
    html += QStringLiteral("</table><p class=\"explain\">Images of known truth, flagged when their score is at or above ")
        + scoreText(report.threshold.value) + QStringLiteral(". ") + count(report.flaggedCount) + QStringLiteral(" of all ")
        + count(int(report.scoredImages.size())) + QStringLiteral(" scored images are flagged.</p></td></tr></table>\n");
    return html;
}

QString plotsSection(const ReportData& report, const ImageSource& imageSource)
{
    QString html = QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"0\"><tr><td valign=\"top\">");
    html += plotTag(imageSource, QStringLiteral("score-histogram"),
                    scoreHistogram(report.scoredImages, report.threshold.value, kPlotSize),
                    QStringLiteral("Histogram of the image scores of good and defective images with the threshold"));
    html += QStringLiteral("</td><td valign=\"top\">");
    const MeasuredRun& measured = report.measured;
    if (measured.metrics.imageAuroc) {
        const Confusion& c = report.confusion;
        const QPointF operatingPoint(double(c.fp) / std::max(1, c.fp + c.tn), double(c.tp) / std::max(1, c.tp + c.fn));
        html += plotTag(imageSource, QStringLiteral("roc-curve"),
                        rocPlot({{QString(), measured.scores, measured.labels}}, operatingPoint, kPlotSize),
                        QStringLiteral("ROC curve with the operating point at the threshold"));
    } else {
        html += QStringLiteral("<p class=\"explain\">ROC curve: ") + dash()
            + QStringLiteral(" needs both good and defective images (labels or verdicts).</p>");
    }
    return html + QStringLiteral("</td></tr></table>\n");
}

// The image under its heatmap with predicted (white) and ground-truth (green) outlines, as
// PNG at most kOverlayRenderSide on its long side; empty when the image cannot be read.
QByteArray overlayPng(const FlaggedImage& flagged, double threshold)
{
    cv::Mat image;
    try {
        image = loadImageRgb(flagged.path, flagged.sha256);
    } catch (const InputError&) {
        return {};
    }
    const double scale = double(kOverlayRenderSide) / std::max(image.cols, image.rows);
    if (scale < 1.0)
        cv::resize(image, image, cv::Size(), scale, scale, cv::INTER_AREA);
    OverlayStyle style;
    style.groundTruth = flagged.mask;
    cv::Mat map = flagged.heatmap;
    if (map.empty()) { // no heatmap stored: the image with its outline only
        map = cv::Mat::zeros(1, 1, CV_32F);
        style.opacity = 0.0;
        style.drawPredictedContours = false;
    }
    std::vector<uchar> png;
    cv::imencode(".png", renderOverlay(image, map, threshold, style), png);
    return QByteArray(reinterpret_cast<const char*>(png.data()), qsizetype(png.size()));
}

QString flaggedSection(const ReportData& report, const ImageSource& imageSource)
{
    QString html = QStringLiteral("<h2 class=\"page\">Flagged images</h2><p>");
    if (report.topFlagged.empty())
        return html + QStringLiteral("No scored image is at or above the threshold ") + scoreText(report.threshold.value)
            + QStringLiteral(".</p>\n");
    html += count(report.flaggedCount) + QStringLiteral(" of ") + count(int(report.scoredImages.size()))
        + QStringLiteral(" scored images are at or above the threshold ") + scoreText(report.threshold.value)
        + QStringLiteral("; the ") + count(int(report.topFlagged.size()))
        + QStringLiteral(" highest scores are shown. Overlay: the heatmap over the image, white outlines where it "
                         "reaches the threshold, green outlines the defect mask.</p>");
    const QString tableStart = QStringLiteral("<table class=\"data\" width=\"100%\">")
        + headerRow({QStringLiteral("#"), QStringLiteral("Overlay"), QStringLiteral("Image"), QStringLiteral("Score"),
                     QStringLiteral("Model"), QStringLiteral("Reviewer"), QStringLiteral("Label"),
                     QStringLiteral("Defect types")},
                    {5, 16, 25, 9, 9, 13, 11, 12});
    for (size_t i = 0; i < report.topFlagged.size(); ++i) {
        if (i % kFlaggedRowsPerPage == 0)
            html += (i == 0 ? QString() : QStringLiteral("</table>\n<p class=\"page explain\">Flagged images, continued</p>"))
                + tableStart;
        const FlaggedImage& flagged = report.topFlagged[i];
        const QString id = count(int(flagged.imageId));
        const QByteArray png = overlayPng(flagged, report.threshold.value);
        QString overlay = QStringLiteral("image not found");
        if (!png.isEmpty()) {
            const QImage decoded = QImage::fromData(png);
            const double shrink = double(kOverlayShownSide) / std::max(decoded.width(), decoded.height());
            overlay = imageTag(imageSource, QStringLiteral("overlay-") + id, png,
                               QSize(int(decoded.width() * shrink), int(decoded.height() * shrink)),
                               QStringLiteral("Heatmap overlay of image ") + id);
        }
        QStringList types;
        for (const std::string& type : flagged.defectTypes)
            types << escaped(type);
        html += QStringLiteral("<tr class=\"flagged-image\" id=\"image-") + id + QStringLiteral("\">");
        html += cell(count(int(i) + 1), QStringLiteral("number")) + cell(overlay);
        html += cell(escaped(flagged.path) + QStringLiteral("<br><span class=\"explain\">image ") + id
                     + QStringLiteral("</span>"));
        html += cell(scoreText(flagged.score), QStringLiteral("number"));
        html += verdictCell(flagged.modelVerdict) + verdictCell(flagged.humanVerdict);
        html += cell(flagged.label == kUnknownLabel ? QStringLiteral("unknown") : escaped(flagged.label));
        html += cell(types.isEmpty() ? dash() : types.join(QStringLiteral(", "))) + QStringLiteral("</tr>\n");
    }
    return html + QStringLiteral("</table>\n");
}

QString reviewersSection(const ReportData& report)
{
    QString html = QStringLiteral("<h2 class=\"page\">Reviewers</h2>");
    if (report.reviewers.empty())
        return html + QStringLiteral("<p>No image has been reviewed yet.</p>\n");
    html += QStringLiteral("<p>Every verdict each reviewer gave, and how often a defect or good verdict agreed with what "
                           "the model said when they decided: the score of the run they were shown against the threshold "
                           "then in force. Unsure verdicts, and verdicts given without a scored run, are not compared.</p>");
    html += QStringLiteral("<table class=\"data\" width=\"100%\">")
        + headerRow({QStringLiteral("Reviewer"), QStringLiteral("Defect"), QStringLiteral("Good"), QStringLiteral("Unsure"),
                     QStringLiteral("Total"), QStringLiteral("Agreed with the model"), QStringLiteral("Agreement")});
    for (const ReviewerStats& reviewer : report.reviewers) {
        html += QStringLiteral("<tr class=\"reviewer\">")
            + cell(escaped(reviewer.reviewer.empty() ? "(anonymous)" : reviewer.reviewer));
        html += cell(count(reviewer.defect), QStringLiteral("number")) + cell(count(reviewer.good), QStringLiteral("number"))
            + cell(count(reviewer.unsure), QStringLiteral("number"))
            + cell(count(reviewer.defect + reviewer.good + reviewer.unsure), QStringLiteral("number"));
        html += cell(count(reviewer.agreed) + QStringLiteral(" of ") + count(reviewer.compared), QStringLiteral("number"));
        html += reviewer.compared > 0
            ? cell(fixed(100.0 * reviewer.agreed / reviewer.compared, 0) + QStringLiteral(" %"), QStringLiteral("metric"))
            : cell(dash() + QStringLiteral(" no verdict to compare"), QStringLiteral("note"));
        html += QStringLiteral("</tr>\n");
    }
    return html + QStringLiteral("</table>\n");
}

QString comparisonRow(const MeasuredRun& measured, bool thisModel)
{
    const RunMetrics& metrics = measured.metrics;
    QString html = QStringLiteral("<tr class=\"compared-model") + (thisModel ? QStringLiteral(" this-model") : QString())
        + QStringLiteral("\" id=\"model-") + count(int(measured.model.id)) + QStringLiteral("\">");
    html += cell(escaped(measured.model.name) + (thisModel ? QStringLiteral(" (this report)") : QString())
                 + QStringLiteral("<br><span class=\"explain\">") + escaped(measured.model.method) + QStringLiteral(" on ")
                 + escaped(measured.model.backbone) + QStringLiteral(", run ") + count(int(measured.run.id))
                 + QStringLiteral("</span>"));
    for (const std::optional<double>& value : {metrics.imageAuroc, metrics.pixelAuroc, metrics.aupro, metrics.f1Max})
        html += cell(optionalFixed(value), QStringLiteral("metric"));
    html += cell(optionalFixed(metrics.msPerImage, 1), QStringLiteral("number"));
    html += cell(fixed(metrics.trainSeconds, 1), QStringLiteral("number"));
    html += cell(count(metrics.nGood + metrics.nDefective), QStringLiteral("number"));
    return html + QStringLiteral("</tr>\n");
}

QString comparisonSection(const ReportData& report, const ImageSource& imageSource)
{
    QString html = QStringLiteral("<h2>Model comparison</h2>");
    if (report.comparison.empty())
        return html + QStringLiteral("<p>No other model of this project has a finished run to compare with.</p>\n");
    html += QStringLiteral("<p>Every model of the project with a finished run, each measured on its latest run against what "
                           "the project knows now. ")
        + dash() + QStringLiteral(": the run's images cannot measure it.</p>");
    html += QStringLiteral("<table class=\"data\" width=\"100%\">")
        + headerRow({QStringLiteral("Model"), QStringLiteral("Image AUROC"), QStringLiteral("Pixel AUROC"),
                     QStringLiteral("AUPRO"), QStringLiteral("F1-max"), QStringLiteral("ms per image"),
                     QStringLiteral("Training (s)"), QStringLiteral("Images")},
                    {28, 10, 10, 10, 9, 11, 12, 10});
    html += comparisonRow(report.measured, true);
    std::vector<RocSeries> curves;
    if (report.measured.metrics.imageAuroc)
        curves.push_back({QString::fromStdString(report.measured.model.name), report.measured.scores, report.measured.labels});
    for (const MeasuredRun& other : report.comparison) {
        html += comparisonRow(other, false);
        if (other.metrics.imageAuroc)
            curves.push_back({QString::fromStdString(other.model.name), other.scores, other.labels});
    }
    html += QStringLiteral("</table>\n");
    if (curves.empty())
        return html + QStringLiteral("<p class=\"explain\">ROC curves: ") + dash()
            + QStringLiteral(" need both good and defective images (labels or verdicts).</p>\n");
    return html + QStringLiteral("<p>")
        + plotTag(imageSource, QStringLiteral("roc-comparison"), rocPlot(curves, std::nullopt, kComparisonPlotSize),
                  QStringLiteral("ROC curves of the compared models"))
        + QStringLiteral("</p>\n");
}

} // namespace

QString reportHtml(const ReportData& report, const ImageSource& imageSource)
{
    return header(report) + projectAndModel(report) + metricsSection(report) + plotsSection(report, imageSource)
        + flaggedSection(report, imageSource) + reviewersSection(report) + comparisonSection(report, imageSource)
        + QStringLiteral("</body></html>\n");
}

} // namespace ds::report
