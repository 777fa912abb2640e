#include "report/Report.h"

#include "core/storage/AtomicFile.h"
#include "report/ReportHtml.h"

#include <QBuffer>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>
#include <QUrl>

#include <string_view>
#include <utility>
#include <vector>

namespace ds {

void writeHtmlReport(const ReportData& report, const std::string& path)
{
    const QString html = report::reportHtml(report, [](const QString&, const QByteArray& png) {
        return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(png.toBase64());
    });
    const QByteArray utf8 = html.toUtf8();
    writeFileAtomically(path, std::string_view(utf8.constData(), size_t(utf8.size())));
}

void writePdfReport(const ReportData& report, const std::string& path)
{
    // Laid out in memory first: the file then appears whole, or not at all.
    QByteArray pdf;
    {
        QBuffer buffer(&pdf);
        buffer.open(QIODevice::WriteOnly);
        QPdfWriter writer(&buffer);
        writer.setPageLayout(
            QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(15, 12, 15, 12), QPageLayout::Millimeter));
        const QString title = QStringLiteral("DefectScope report: ") + QString::fromStdString(report.measured.model.name);
        writer.setTitle(title);
        writer.setCreator(QStringLiteral("DefectScope " DEFECTSCOPE_VERSION));

        std::vector<std::pair<QUrl, QImage>> images;
        const QString html = report::reportHtml(report, [&](const QString& name, const QByteArray& png) {
            images.emplace_back(QUrl(QStringLiteral("report-image:") + name), QImage::fromData(png));
            return images.back().first.toString();
        });
        QTextDocument document;
        document.setDocumentMargin(0);
        document.setHtml(html);
        for (const auto& [url, image] : images)
            document.addResource(QTextDocument::ImageResource, url, image);

        // The document is laid out in CSS pixels (96 per inch), as in a browser, and each
        // page drawn scaled to the writer's resolution, with a footer below it.
        QPainter painter(&writer);
        const double scale = writer.resolution() / 96.0;
        const QSizeF printable(writer.width() / scale, writer.height() / scale);
        constexpr double kFooterHeight = 22.0;
        document.setPageSize(QSizeF(printable.width(), printable.height() - kFooterHeight));
        const double pageHeight = document.pageSize().height();
        const int pages = document.pageCount();
        QFont footerFont = document.defaultFont();
        footerFont.setPixelSize(10); // in the painter's CSS pixels
        for (int page = 0; page < pages; ++page) {
            if (page > 0)
                writer.newPage();
            painter.save();
            painter.scale(scale, scale);
            painter.save();
            painter.translate(0, -page * pageHeight);
            document.drawContents(&painter, QRectF(0, page * pageHeight, printable.width(), pageHeight));
            painter.restore();
            painter.setFont(footerFont);
            painter.setPen(QColor(120, 120, 120));
            const QRectF footer(0, printable.height() - kFooterHeight + 8, printable.width(), kFooterHeight - 8);
            painter.drawText(footer, Qt::AlignLeft | Qt::AlignBottom, title);
            painter.drawText(footer, Qt::AlignRight | Qt::AlignBottom, QStringLiteral("page %1 of %2").arg(page + 1).arg(pages));
            painter.restore();
        }
    }
    writeFileAtomically(path, std::string_view(pdf.constData(), size_t(pdf.size())));
}

} // namespace ds
