#include "ui/ImageConversion.h"

#include "core/data/Dataset.h"

#include <QStringList>

namespace ds::ui {

QImage bgrMatToQImage(const cv::Mat& bgr)
{
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return {};
    // QImage::Format_BGR888 matches OpenCV's layout; copy() detaches from the Mat's buffer.
    const QImage view(bgr.data, bgr.cols, bgr.rows, int(bgr.step), QImage::Format_BGR888);
    return view.copy();
}

QImage rgbFloatMatToQImage(const cv::Mat& rgb)
{
    if (rgb.empty() || rgb.type() != CV_32FC3)
        return {};
    cv::Mat rgb8;
    rgb.convertTo(rgb8, CV_8UC3, 255.0);
    const QImage view(rgb8.data, rgb8.cols, rgb8.rows, int(rgb8.step), QImage::Format_RGB888);
    return view.copy();
}

QString imageFileFilter()
{
    QStringList patterns;
    for (const std::string& extension : supportedImageExtensions())
        patterns << QStringLiteral("*.") + QString::fromStdString(extension);
    return QStringLiteral("Images (%1)").arg(patterns.join(QLatin1Char(' ')));
}

} // namespace ds::ui
