#include "ui/widgets/ColourBar.h"

#include "ui/ImageConversion.h"

#include <QPainter>

#include <algorithm>

namespace ds::ui {

namespace {

QString shortNumber(double value)
{
    return QString::number(value, 'g', 3);
}

} // namespace

ColourBar::ColourBar(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("colourBar"));
    setToolTip(QStringLiteral("Heatmap colours from low to high anomaly; the mark is the threshold"));
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    setColormap(cv::COLORMAP_JET);
}

void ColourBar::setColormap(int colormap)
{
    cv::Mat values(1, 256, CV_8U);
    for (int i = 0; i < 256; ++i)
        values.at<uchar>(0, i) = uchar(i);
    cv::Mat coloured;
    cv::applyColorMap(values, coloured, colormap);
    ramp_ = bgrMatToQImage(coloured);
    update();
}

void ColourBar::setScale(const ds::ColourScale& scale)
{
    scale_ = scale;
    update();
}

void ColourBar::setThreshold(double threshold)
{
    threshold_ = threshold;
    update();
}

QSize ColourBar::sizeHint() const
{
    return {fontMetrics().horizontalAdvance(QStringLiteral("0.000")) * 2 + 120, fontMetrics().height() + 8};
}

void ColourBar::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const QString low = shortNumber(scale_.low), high = shortNumber(scale_.high);
    const int lowWidth = fontMetrics().horizontalAdvance(low) + 4;
    const int highWidth = fontMetrics().horizontalAdvance(high) + 4;
    const QRect bar(lowWidth, 3, std::max(10, width() - lowWidth - highWidth), height() - 6);
    painter.drawText(QRect(0, 0, lowWidth, height()), Qt::AlignLeft | Qt::AlignVCenter, low);
    painter.drawText(QRect(bar.right() + 1, 0, highWidth, height()), Qt::AlignRight | Qt::AlignVCenter, high);
    painter.drawImage(bar, ramp_);
    const double span = std::max(scale_.high - scale_.low, 1e-12);
    const double at = std::clamp((threshold_ - scale_.low) / span, 0.0, 1.0);
    const int x = bar.left() + int(at * (bar.width() - 1));
    painter.setPen(QPen(Qt::white, 3));
    painter.drawLine(x, bar.top() - 2, x, bar.bottom() + 2);
    painter.setPen(QPen(Qt::black, 1));
    painter.drawLine(x, bar.top() - 2, x, bar.bottom() + 2);
}

} // namespace ds::ui
