#include "ui/ImageConversion.h"

namespace ds::ui {

QImage bgrMatToQImage(const cv::Mat& bgr)
{
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return {};
    // QImage::Format_BGR888 matches OpenCV's layout; copy() detaches from the Mat's buffer.
    const QImage view(bgr.data, bgr.cols, bgr.rows, int(bgr.step), QImage::Format_BGR888);
    return view.copy();
}

} // namespace ds::ui
