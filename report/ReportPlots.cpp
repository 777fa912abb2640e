#include "report/ReportPlots.h"

#include "core/metrics/Metrics.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>

namespace ds::report {
namespace {

constexpr qreal kPixelRatio = 2.0;
constexpr int kHistogramBins = 24;

const QColor kGoodColor(46, 134, 193);
const QColor kDefectColor(214, 69, 65);
const QColor kUnknownColor(140, 140, 140);
const QColor kCurveColors[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                               {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

QColor translucent(QColor color, int alpha)
{
    color.setAlpha(alpha);
    return color;
}

QImage blankPlot(QSize size)
{
    QImage image(size * kPixelRatio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(kPixelRatio);
    image.fill(Qt::white);
    return image;
}

QFont plotFont(int pixelSize, bool bold = false)
{
    QFont font;
    font.setPixelSize(pixelSize);
    font.setBold(bold);
    return font;
}

// A tick spacing of 1, 2 or 5 times a power of ten giving about `ticks` intervals.
double niceStep(double range, int ticks)
{
    const double raw = range / ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double factor : {1.0, 2.0, 5.0})
        if (raw <= factor * magnitude)
            return factor * magnitude;
    return 10.0 * magnitude;
}

// Data coordinates mapped onto a rectangle of the image, with labelled axes.
class PlotArea {
public:
    PlotArea(QPainter& painter, const QRectF& frame, double xMin, double xMax, double yMin, double yMax)
        : painter_(painter)
        , frame_(frame)
        , xMin_(xMin)
        , xMax_(xMax)
        , yMin_(yMin)
        , yMax_(yMax)
    {
    }

    QPointF map(double x, double y) const
    {
        return {frame_.left() + (x - xMin_) / (xMax_ - xMin_) * frame_.width(),
                frame_.bottom() - (y - yMin_) / (yMax_ - yMin_) * frame_.height()};
    }
    const QRectF& frame() const { return frame_; }

    void drawAxes(const QString& xLabel, const QString& yLabel, bool integerY)
    {
        painter_.save();
        painter_.setFont(plotFont(10));
        const QFontMetricsF metrics(painter_.font());
        const QPen gridPen(QColor(225, 225, 225), 0.8);
        const QPen tickPen(QColor(60, 60, 60), 1.0);

        const double xStep = niceStep(xMax_ - xMin_, 5);
        for (double x = std::ceil(xMin_ / xStep) * xStep; x <= xMax_ + xStep * 1e-6; x += xStep) {
            const QPointF bottom = map(x, yMin_);
            painter_.setPen(gridPen);
            painter_.drawLine(bottom, map(x, yMax_));
            painter_.setPen(tickPen);
            painter_.drawLine(bottom, bottom + QPointF(0, 4));
            const QString text = QString::number(std::abs(x) < xStep * 1e-6 ? 0.0 : x, 'g', 4);
            painter_.drawText(QRectF(bottom.x() - 40, bottom.y() + 5, 80, metrics.height()), Qt::AlignHCenter | Qt::AlignTop,
                              text);
        }
        const double yStep = integerY ? std::max(1.0, std::round(niceStep(yMax_ - yMin_, 4))) : niceStep(yMax_ - yMin_, 5);
        for (double y = std::ceil(yMin_ / yStep) * yStep; y <= yMax_ + yStep * 1e-6; y += yStep) {
            const QPointF left = map(xMin_, y);
            painter_.setPen(gridPen);
            painter_.drawLine(left, map(xMax_, y));
            painter_.setPen(tickPen);
            painter_.drawLine(left, left - QPointF(4, 0));
            painter_.drawText(QRectF(left.x() - 46, left.y() - metrics.height() / 2, 40, metrics.height()),
                              Qt::AlignRight | Qt::AlignVCenter, QString::number(y, 'g', 4));
        }
        painter_.setPen(tickPen);
        painter_.setBrush(Qt::NoBrush);
        painter_.drawRect(frame_);

        painter_.setFont(plotFont(11));
        painter_.drawText(QRectF(frame_.left(), frame_.bottom() + 6 + metrics.height(), frame_.width(), 18),
                          Qt::AlignHCenter | Qt::AlignTop, xLabel);
        painter_.translate(frame_.left() - 50, frame_.center().y());
        painter_.rotate(-90);
        painter_.drawText(QRectF(-frame_.height() / 2, -18, frame_.height(), 18), Qt::AlignHCenter | Qt::AlignBottom, yLabel);
        painter_.restore();
    }

private:
    QPainter& painter_;
    QRectF frame_;
    double xMin_, xMax_, yMin_, yMax_;
};

void drawTitle(QPainter& painter, QSize size, const QString& title)
{
    painter.setPen(QColor(30, 30, 30));
    painter.setFont(plotFont(13, true));
    painter.drawText(QRectF(0, 4, size.width(), 20), Qt::AlignHCenter | Qt::AlignTop, title);
}

struct LegendEntry {
    QColor color;
    QString text;
};

// Swatches with their text in a white box at the given corner of the plot frame.
void drawLegend(QPainter& painter, const QRectF& frame, const std::vector<LegendEntry>& entries, Qt::Corner corner)
{
    if (entries.empty())
        return;
    painter.save();
    painter.setFont(plotFont(10));
    const QFontMetricsF metrics(painter.font());
    double textWidth = 0;
    for (const LegendEntry& entry : entries)
        textWidth = std::max(textWidth, metrics.horizontalAdvance(entry.text));
    const double line = metrics.height() + 3;
    const QSizeF box(textWidth + 32, line * double(entries.size()) + 8);
    const bool right = corner == Qt::TopRightCorner || corner == Qt::BottomRightCorner;
    const bool bottom = corner == Qt::BottomLeftCorner || corner == Qt::BottomRightCorner;
    const QPointF topLeft(right ? frame.right() - box.width() - 8 : frame.left() + 8,
                          bottom ? frame.bottom() - box.height() - 8 : frame.top() + 8);
    painter.setPen(QColor(200, 200, 200));
    painter.setBrush(translucent(Qt::white, 230));
    painter.drawRect(QRectF(topLeft, box));
    for (size_t i = 0; i < entries.size(); ++i) {
        const double y = topLeft.y() + 4 + line * double(i);
        painter.setPen(Qt::NoPen);
        painter.setBrush(entries[i].color);
        painter.drawRect(QRectF(topLeft.x() + 6, y + line / 2 - 5, 16, 10));
        painter.setPen(QColor(30, 30, 30));
        painter.drawText(QRectF(topLeft.x() + 26, y, textWidth + 4, line), Qt::AlignLeft | Qt::AlignVCenter, entries[i].text);
    }
    painter.restore();
}

// Leaves room for tick labels and axis titles on the left and below, and for the title.
QRectF plotFrame(QSize size)
{
    return QRectF(64, 30, size.width() - 64 - 16, size.height() - 30 - 48);
}

} // namespace

QImage scoreHistogram(const std::vector<ScoredImage>& images, double threshold, QSize size)
{
    QImage image = blankPlot(size);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    drawTitle(painter, size, QStringLiteral("Image scores"));

    double low = threshold, high = threshold;
    for (const ScoredImage& scored : images) {
        low = std::min(low, scored.score);
        high = std::max(high, scored.score);
    }
    const double margin = high > low ? (high - low) * 0.04 : std::max(1e-3, std::abs(high) * 0.1);
    low -= margin;
    high += margin;
    const double width = (high - low) / kHistogramBins;

    // Bins per class: good, defective, unknown.
    std::vector<std::array<int, 3>> counts(kHistogramBins, {0, 0, 0});
    std::array<int, 3> totals {0, 0, 0};
    for (const ScoredImage& scored : images) {
        const int bin = std::clamp(int((scored.score - low) / width), 0, kHistogramBins - 1);
        const int series = !scored.defective ? 2 : *scored.defective ? 1 : 0;
        ++counts[size_t(bin)][size_t(series)];
        ++totals[size_t(series)];
    }
    int highest = 1;
    for (const auto& bin : counts)
        highest = std::max({highest, bin[0], bin[1], bin[2]});

    PlotArea area(painter, plotFrame(size), low, high, 0, highest * 1.15);
    area.drawAxes(QStringLiteral("anomaly score"), QStringLiteral("images"), true);
    const QColor colors[] = {kGoodColor, kDefectColor, kUnknownColor};
    painter.setClipRect(area.frame());
    for (size_t series = 0; series < 3; ++series) {
        painter.setPen(QPen(colors[series], 1.0));
        painter.setBrush(translucent(colors[series], 120));
        for (int bin = 0; bin < kHistogramBins; ++bin) {
            if (counts[size_t(bin)][series] == 0)
                continue;
            const double left = low + bin * width;
            painter.drawRect(QRectF(area.map(left, counts[size_t(bin)][series]), area.map(left + width, 0)));
        }
    }
    QPen thresholdPen(QColor(20, 20, 20), 1.6, Qt::DashLine);
    painter.setPen(thresholdPen);
    const QPointF lineTop = area.map(threshold, highest * 1.15);
    painter.drawLine(lineTop, area.map(threshold, 0));
    painter.setClipping(false);
    painter.setFont(plotFont(10));
    const QString thresholdText = QStringLiteral("threshold %1").arg(threshold, 0, 'g', 4);
    const double textWidth = QFontMetricsF(painter.font()).horizontalAdvance(thresholdText);
    // Written beside the line, on whichever side has room.
    const bool leftOfLine = lineTop.x() + 4 + textWidth > area.frame().right();
    painter.drawText(QRectF(leftOfLine ? lineTop.x() - 4 - textWidth : lineTop.x() + 4, lineTop.y() + 2, textWidth + 2, 16),
                     Qt::AlignLeft | Qt::AlignTop, thresholdText);

    std::vector<LegendEntry> legend;
    const QString names[] = {QStringLiteral("good"), QStringLiteral("defective"), QStringLiteral("unknown")};
    for (size_t series = 0; series < 3; ++series)
        if (totals[series] > 0)
            legend.push_back(
                {translucent(colors[series], 160), QStringLiteral("%1 (%2)").arg(names[series]).arg(totals[series])});
    // The legend sits away from the threshold line's side.
    const bool lineOnRight = area.map(threshold, 0).x() > area.frame().center().x();
    drawLegend(painter, area.frame(), legend, lineOnRight ? Qt::TopLeftCorner : Qt::TopRightCorner);
    return image;
}

QImage rocPlot(const std::vector<RocSeries>& series, std::optional<QPointF> operatingPoint, QSize size)
{
    QImage image = blankPlot(size);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    drawTitle(painter, size, series.size() > 1 ? QStringLiteral("ROC curves") : QStringLiteral("ROC curve"));
    PlotArea area(painter, plotFrame(size), 0, 1, 0, 1);
    area.drawAxes(QStringLiteral("false positive rate"), QStringLiteral("true positive rate"), false);

    painter.setPen(QPen(QColor(170, 170, 170), 1.0, Qt::DashLine));
    painter.drawLine(area.map(0, 0), area.map(1, 1));
    std::vector<LegendEntry> legend;
    for (size_t i = 0; i < series.size(); ++i) {
        const QColor color = kCurveColors[i % std::size(kCurveColors)];
        const RocCurve curve = rocCurve(series[i].scores, series[i].labels);
        QPainterPath path(area.map(curve.fpr.front(), curve.tpr.front()));
        for (size_t point = 1; point < curve.fpr.size(); ++point)
            path.lineTo(area.map(curve.fpr[point], curve.tpr[point]));
        painter.setPen(QPen(color, 2.0));
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(path);
        const QString auroc = QStringLiteral("AUROC ") + QString::number(rocAuc(series[i].scores, series[i].labels), 'f', 3);
        legend.push_back({color, series[i].name.isEmpty() ? auroc : series[i].name + QStringLiteral("  ") + auroc});
    }
    if (operatingPoint) {
        const QPointF point = area.map(operatingPoint->x(), operatingPoint->y());
        painter.setPen(QPen(QColor(20, 20, 20), 1.5));
        painter.setBrush(series.empty() ? QColor(20, 20, 20) : kCurveColors[0]);
        painter.drawEllipse(point, 5, 5);
        painter.setFont(plotFont(10));
        painter.drawText(QRectF(point.x() + 8, point.y() + 2, 120, 16), Qt::AlignLeft | Qt::AlignTop,
                         QStringLiteral("at threshold"));
    }
    drawLegend(painter, area.frame(), legend, Qt::BottomRightCorner);
    return image;
}

} // namespace ds::report
