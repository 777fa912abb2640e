#include "report/Report.h"

#include "core/Error.h"
#include "report/ReportHtml.h"

#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QUrl>

#include <functional>
#include <utility>
#include <vector>

namespace ds {
namespace {

// Writes through a QSaveFile: a temporary file next to path, renamed over it on success.
void writeAtomically(const std::string& path, const std::function<void(QSaveFile&)>& write)
{
    QSaveFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly))
        throw Error("Cannot write the report '" + path + "': " + file.errorString().toStdString());
    write(file);
    if (!file.commit())
        throw Error("Cannot write the report '" + path + "': " + file.errorString().toStdString());
}

} // namespace

void writeHtmlReport(const ReportData& report, const std::string& path)
{
    const QString html = report::reportHtml(report, [](const QString&, const QByteArray& png) {
        return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(png.toBase64());
    });
    writeAtomically(path, [&](QSaveFile& file) { file.write(html.toUtf8()); });
}

void writePdfReport(const ReportData& report, const std::string& path)
{
    writeAtomically(path, [&](QSaveFile& file) {
        QPdfWriter writer(&file);
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(15, 15, 15, 15),
                                         QPageLayout::Millimeter));
        writer.setTitle(QStringLiteral("DefectScope report: ") + QString::fromStdString(report.measured.model.name));
        writer.setCreator(QStringLiteral("DefectScope " DEFECTSCOPE_VERSION));

        std::vector<std::pair<QUrl, QImage>> images;
        const QString html = report::reportHtml(report, [&](const QString& name, const QByteArray& png) {
            images.emplace_back(QUrl(QStringLiteral("report-image:") + name), QImage::fromData(png));
            return images.back().first.toString();
        });
        QTextDocument document;
        document.setHtml(html);
        for (const auto& [url, image] : images)
            document.addResource(QTextDocument::ImageResource, url, image);
        document.print(&writer);
    });
}

} // namespace ds
