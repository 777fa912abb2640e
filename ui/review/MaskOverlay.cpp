#include "ui/review/MaskOverlay.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ds::ui {

QColor maskValueColour(int value, const std::vector<DefectType>& types)
{
    for (const DefectType& type : types) {
        if (type.id == value) {
            const QColor colour(QString::fromStdString(type.color));
            if (colour.isValid())
                return colour;
        }
    }
    return kUntypedDefectColour;
}

QString defectTypeName(int value, const std::vector<DefectType>& types)
{
    for (const DefectType& type : types)
        if (type.id == value)
            return QString::fromStdString(type.name);
    return QString::fromUtf8(kUntypedDefectName);
}

cv::Mat drawMaskOverlay(const cv::Mat& bgr, const cv::Mat& mask, const std::vector<DefectType>& types, double opacity)
{
    CV_Assert(bgr.type() == CV_8UC3 && mask.type() == CV_8UC1 && mask.size() == bgr.size());
    cv::Mat drawn = bgr.clone();
    cv::Mat defect;
    cv::compare(mask, 0, defect, cv::CMP_GT);
    if (cv::countNonZero(defect) == 0)
        return drawn;

    cv::Mat table(1, 256, CV_8UC3);
    for (int value = 0; value < 256; ++value) {
        const QColor colour = maskValueColour(value, types);
        table.at<cv::Vec3b>(value) = cv::Vec3b(uchar(colour.blue()), uchar(colour.green()), uchar(colour.red()));
    }
    cv::Mat values;
    cv::cvtColor(mask, values, cv::COLOR_GRAY2BGR);
    cv::Mat colours;
    cv::LUT(values, table, colours);
    cv::Mat blended;
    cv::addWeighted(bgr, 1.0 - opacity, colours, opacity, 0.0, blended);
    blended.copyTo(drawn, defect);

    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(defect, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    const int thickness = std::max(1, std::min(bgr.cols, bgr.rows) / 200);
    cv::drawContours(drawn, contours, -1, cv::Scalar(0, 255, 0), thickness, cv::LINE_8);
    return drawn;
}

} // namespace ds::ui
