// Reports as files: the HTML carries the figures, rows and images of the report data, the
// PDF has a page per section, both are written atomically and from a worker thread.
#include "core/Error.h"
#include "core/review/ReportData.h"
#include "core/storage/ProjectFile.h"
#include "report/Report.h"
#include "report/ReportPlots.h"
#include "tests/support/ReportProject.h"

#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

using namespace ds;

namespace {

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The text of every <td class="metric" id="..."> cell, by id.
std::map<QString, QString> metricCells(const QString& html)
{
    std::map<QString, QString> cells;
    static const QRegularExpression cell(QStringLiteral("<td class=\"metric\" id=\"([a-z0-9-]+)\">([^<]*)</td>"));
    for (const QRegularExpressionMatch& match : cell.globalMatch(html))
        cells[match.captured(1)] = match.captured(2);
    return cells;
}

int pdfPageCount(const QByteArray& pdf)
{
    static const QRegularExpression page(QStringLiteral("/Type\\s*/Page(?!s)"));
    int pages = 0;
    for (QRegularExpressionMatchIterator match = page.globalMatch(QString::fromLatin1(pdf)); match.hasNext(); match.next())
        ++pages;
    return pages;
}

int pdfPageCountOf(const QString& path)
{
    return pdfPageCount(readAll(path));
}

int countOf(const QString& text, const QString& needle)
{
    return int(text.count(needle));
}

} // namespace

class TestReport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    test::ReportProject made_;
    ReportData report_; // the PaDiM model, at most four flagged images

    QString path(const char* name) const { return dir_.filePath(QString::fromLatin1(name)); }

    static void checkNumber(const std::map<QString, QString>& cells, const char* id, double expected, double tolerance)
    {
        const QString key = QString::fromLatin1(id);
        QVERIFY2(cells.count(key) == 1, id);
        bool ok = false;
        const double shown = cells.at(key).toDouble(&ok);
        QVERIFY2(ok, qPrintable(key + QStringLiteral(": ") + cells.at(key)));
        QVERIFY2(std::abs(shown - expected) <= tolerance, qPrintable(key + QStringLiteral(": ") + cells.at(key)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        made_ = test::makeReportProject(dir_.path().toStdString());
        const ProjectFile project = ProjectFile::open(made_.path);
        report_ = gatherReport(project, made_.padim, std::nullopt, 4);
        QVERIFY(report_.flaggedCount >= 4); // the synthetic defects score above the default threshold
        QCOMPARE(report_.topFlagged.size(), size_t(4));
        QCOMPARE(report_.comparison.size(), size_t(1));
    }

    void htmlShowsTheFiguresOfTheReport()
    {
        writeHtmlReport(report_, path("report.html").toStdString());
        const QString html = QString::fromUtf8(readAll(path("report.html")));
        QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
        const std::map<QString, QString> cells = metricCells(html);
        const RunMetrics& metrics = report_.measured.metrics;
        checkNumber(cells, "image-auroc", *metrics.imageAuroc, 0.0005);
        checkNumber(cells, "pixel-auroc", *metrics.pixelAuroc, 0.0005);
        checkNumber(cells, "aupro", *metrics.aupro, 0.0005);
        checkNumber(cells, "f1-max", *metrics.f1Max, 0.0005);
        checkNumber(cells, "f1-threshold", metrics.f1Threshold, 1e-3 * std::abs(metrics.f1Threshold));
        checkNumber(cells, "threshold", report_.threshold.value, 1e-3 * std::abs(report_.threshold.value));
        checkNumber(cells, "true-positives", report_.confusion.tp, 0);
        checkNumber(cells, "false-positives", report_.confusion.fp, 0);
        checkNumber(cells, "true-negatives", report_.confusion.tn, 0);
        checkNumber(cells, "false-negatives", report_.confusion.fn, 0);
        checkNumber(cells, "train-seconds", metrics.trainSeconds, 0.05);
        checkNumber(cells, "ms-per-image", *metrics.msPerImage, 0.05);
        const Confusion& c = report_.confusion;
        checkNumber(cells, "precision", double(c.tp) / (c.tp + c.fp), 0.0005);
        checkNumber(cells, "recall", double(c.tp) / (c.tp + c.fn), 0.0005);
        // The model as the Train dialog names it, and what training held out.
        const ModelRecord& model = report_.measured.model;
        QVERIFY(model.nHeldOut);
        QVERIFY(html.contains(QStringLiteral("%1 more held out to set the threshold").arg(*model.nHeldOut)));
        for (const ParameterSpec& spec : detectorInfo(model.method).parameters)
            QVERIFY2(!html.contains(QString::fromStdString(spec.key) + QStringLiteral(" = ")), spec.key.c_str());
        QVERIFY(html.contains(QStringLiteral("Image size: 64 px")));
    }

    void htmlListsTheFlaggedImagesInOrder()
    {
        const QString html = QString::fromUtf8(readAll(path("report.html")));
        QCOMPARE(countOf(html, QStringLiteral("<tr class=\"flagged-image\"")), 4);
        qsizetype previous = -1;
        for (const FlaggedImage& image : report_.topFlagged) {
            const qsizetype row = html.indexOf(QStringLiteral("<tr class=\"flagged-image\" id=\"image-%1\">").arg(image.imageId));
            QVERIFY(row > previous);
            previous = row;
            const QString fileName = QString::fromStdString(std::filesystem::path(image.path).filename().string());
            QVERIFY(html.indexOf(fileName, row) > row);
        }
        QVERIFY(html.contains(QStringLiteral("<tr class=\"reviewer\"><td>ana</td>")));
        QVERIFY(html.contains(QStringLiteral("id=\"model-%1\"").arg(made_.patchcore)));
    }

    void htmlEmbedsEveryImageAsAPng()
    {
        const QString html = QString::fromUtf8(readAll(path("report.html")));
        static const QRegularExpression source(QStringLiteral("<img src=\"([^\"]*)\""));
        int images = 0;
        for (const QRegularExpressionMatch& match : source.globalMatch(html)) {
            const QString src = match.captured(1);
            QVERIFY2(src.startsWith(QStringLiteral("data:image/png;base64,")), qPrintable(src.left(60)));
            const QImage image = QImage::fromData(QByteArray::fromBase64(src.mid(22).toLatin1()), "PNG");
            QVERIFY(!image.isNull());
            ++images;
        }
        // Score histogram, ROC curve, one overlay per flagged image, the comparison's ROC curves.
        QCOMPARE(images, 2 + 4 + 1);
    }

    void absentMetricsShowADashAndWhy()
    {
        ReportData report = report_;
        report.measured.metrics.imageAuroc.reset();
        report.measured.metrics.f1Max.reset();
        report.measured.metrics.pixelAuroc.reset();
        report.measured.metrics.aupro.reset();
        report.measured.metrics.nWithMask = 0;
        report.measured.metrics.msPerImage.reset();
        writeHtmlReport(report, path("absent.html").toStdString());
        const QString html = QString::fromUtf8(readAll(path("absent.html")));
        const std::map<QString, QString> cells = metricCells(html);
        const QString dash(QChar(0x2014));
        for (const char* id : {"image-auroc", "pixel-auroc", "aupro", "f1-max", "f1-threshold", "ms-per-image"})
            QCOMPARE(cells.at(QString::fromLatin1(id)), dash);
        QVERIFY(html.contains(QStringLiteral("needs both good and defective images")));
        QVERIFY(html.contains(QStringLiteral("needs a defective image with a ground-truth mask")));
        QVERIFY(html.contains(QStringLiteral("not recorded for this run")));
    }

    void pdfHasAPagePerSection()
    {
        writePdfReport(report_, path("report.pdf").toStdString());
        const QByteArray pdf = readAll(path("report.pdf"));
        QVERIFY(pdf.startsWith("%PDF-"));
        // Summary with metrics and plots; flagged images; reviewers and comparison.
        QCOMPARE(pdfPageCount(pdf), 3);
        QVERIFY(pdf.contains("/Subtype /Image"));
    }

    void manyFlaggedImagesFlowOntoMorePages()
    {
        const ProjectFile project = ProjectFile::open(made_.path);
        const ReportData everything = gatherReport(project, made_.padim, -1e9, 1000);
        writePdfReport(everything, path("everything.pdf").toStdString());
        // Eight flagged images to a page.
        const int flaggedPages = int(everything.topFlagged.size() + 7) / 8;
        QVERIFY(flaggedPages > 1);
        QCOMPARE(pdfPageCountOf(path("everything.pdf")), 2 + flaggedPages);
    }

    void unwritableTargetIsAnErrorAndWritesNothing()
    {
        const QString notAFolder = path("plain-file");
        std::ofstream(notAFolder.toStdString()) << "a file, not a folder";
        for (const bool pdf : {false, true}) {
            const std::string target
                = (notAFolder + (pdf ? QStringLiteral("/report.pdf") : QStringLiteral("/report.html"))).toStdString();
            try {
                pdf ? writePdfReport(report_, target) : writeHtmlReport(report_, target);
                QFAIL("a report was written into a file");
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(target) != std::string::npos, e.what());
            }
            QVERIFY(!std::filesystem::exists(target));
        }
    }

    void rewritingReplacesTheWholeFile()
    {
        const std::string target = path("rewritten.html").toStdString();
        std::ofstream(target) << std::string(5'000'000, 'x'); // longer than any report here
        writeHtmlReport(report_, target);
        const QByteArray html = readAll(QString::fromStdString(target));
        QVERIFY(html.startsWith("<!DOCTYPE html>"));
        QVERIFY(html.trimmed().endsWith("</html>"));
        for (const auto& entry : std::filesystem::directory_iterator(dir_.path().toStdString()))
            QVERIFY2(entry.path().filename().string().find("rewritten.html.") != 0, entry.path().c_str()); // no temporary left
    }

    void writesFromAWorkerThread()
    {
        const std::string pdf = path("worker.pdf").toStdString();
        const std::string html = path("worker.html").toStdString();
        std::string failure;
        // As the workbench runs jobs: on a QThread of its own.
        QThread* worker = QThread::create([&] {
            try {
                writePdfReport(report_, pdf);
                writeHtmlReport(report_, html);
            } catch (const std::exception& e) {
                failure = e.what();
            }
        });
        worker->start();
        QVERIFY(worker->wait(120000));
        delete worker;
        QVERIFY2(failure.empty(), failure.c_str());
        QCOMPARE(pdfPageCountOf(QString::fromStdString(pdf)), 3);
        QCOMPARE(metricCells(QString::fromUtf8(readAll(QString::fromStdString(html)))).at(QStringLiteral("image-auroc")),
                 QString::number(*report_.measured.metrics.imageAuroc, 'f', 3));
    }

    void histogramDrawsBothClassesAndTheThreshold()
    {
        const QImage plot = report::scoreHistogram(report_.scoredImages, report_.threshold.value, QSize(330, 230));
        QCOMPARE(plot.deviceIndependentSize().toSize(), QSize(330, 230));
        QCOMPARE(plot.size(), QSize(660, 460));
        int bluish = 0, reddish = 0;
        for (int y = 0; y < plot.height(); y += 2)
            for (int x = 0; x < plot.width(); x += 2) {
                const QColor pixel = plot.pixelColor(x, y);
                bluish += pixel.blue() > pixel.red() + 40;
                reddish += pixel.red() > pixel.blue() + 40;
            }
        QVERIFY(bluish > 100);
        QVERIFY(reddish > 100);
    }
};

QTEST_MAIN(TestReport)
#include "test_report.moc"
