#include "ui/models/ThumbnailLoader.h"

#include "core/data/ImageIO.h"
#include "ui/ImageConversion.h"

#include <QtConcurrent/QtConcurrentRun>

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ds::ui {

ThumbnailLoader::ThumbnailLoader(int side, QObject* parent)
    : QObject(parent)
    , side_(side)
{
}

ThumbnailLoader::~ThumbnailLoader()
{
    cancel();
    running_.waitForFinished(); // the worker posts to this object
}

void ThumbnailLoader::cancel()
{
    if (cancelled_)
        cancelled_->store(true);
    cancelled_.reset();
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
    cancel();
    if (requests.isEmpty())
        return;
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    cancelled_ = cancelled;
    const int side = side_;
    // `this` outlives the worker: the destructor waits for it.
    running_ = QtConcurrent::run([this, cancelled, side, requests = std::move(requests)] {
        for (const Request& request : requests) {
            if (cancelled->load())
                return;
            const QImage thumbnail = makeThumbnail(request.path, side);
            if (thumbnail.isNull() || cancelled->load())
                continue;
            const qint64 imageId = request.imageId;
            QMetaObject::invokeMethod(
                this,
                [this, cancelled, imageId, thumbnail] {
                    if (!cancelled->load()) // a newer request or the project changed meanwhile
                        Q_EMIT thumbnailReady(imageId, thumbnail);
                },
                Qt::QueuedConnection);
        }
    });
}

} // namespace ds::ui
