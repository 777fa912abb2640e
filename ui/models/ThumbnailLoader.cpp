#include "ui/models/ThumbnailLoader.h"

#include "core/data/ImageIO.h"
#include "ui/ImageConversion.h"

#include "ui/jobs/BackgroundTask.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ds::ui {

ThumbnailLoader::ThumbnailLoader(int side, QObject* parent)
    : QObject(parent)
    , side_(side)
    , task_(new BackgroundTask(this))
{
}

void ThumbnailLoader::cancel()
{
    task_->cancel(); // what it still makes is dropped: a newer request or another project
}

QImage ThumbnailLoader::makeThumbnail(const QString& path, int side)
{
    try {
        const cv::Mat image = ds::loadImageRgb(path.toStdString());
        const double scale = double(side) / std::max(image.cols, image.rows);
        cv::Mat small;
        cv::resize(image, small, cv::Size(std::max(1, int(image.cols * scale)), std::max(1, int(image.rows * scale))), 0, 0,
                   cv::INTER_AREA);
        return rgbFloatMatToQImage(small);
    } catch (const std::exception&) {
        return {}; // the row still shows its name; the failure is reported where the image is opened
    }
}

void ThumbnailLoader::load(QList<Request> requests)
{
    if (requests.isEmpty()) {
        cancel();
        return;
    }
    task_->start([this, side = side_, requests = std::move(requests)](ds::JobContext& job, const BackgroundTask::Post& post) {
        for (const Request& request : requests) {
            if (job.isCancelled())
                break;
            const QImage thumbnail = makeThumbnail(request.path, side);
            if (!thumbnail.isNull())
                post([this, imageId = request.imageId, thumbnail] { Q_EMIT thumbnailReady(imageId, thumbnail); });
        }
        return BackgroundTask::Apply();
    });
}

} // namespace ds::ui
