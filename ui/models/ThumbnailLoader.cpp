#include "ui/models/ThumbnailLoader.h"

#include "core/data/ImageIO.h"

#include <QPointer>
#include <QThreadPool>

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ds::ui {

ThumbnailLoader::ThumbnailLoader(int side, QObject* parent) : QObject(parent), side_(side) {}

ThumbnailLoader::~ThumbnailLoader() { cancel(); }

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
        cv::resize(image, small, cv::Size(std::max(1, int(image.cols * scale)), std::max(1, int(image.rows * scale))), 0,
                   0, cv::INTER_AREA);
        small.convertTo(small, CV_8UC3, 255.0);
        return QImage(small.data, small.cols, small.rows, int(small.step), QImage::Format_RGB888).copy();
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
    QPointer<ThumbnailLoader> self(this);
    const int side = side_;
    QThreadPool::globalInstance()->start([self, cancelled, side, requests = std::move(requests)] {
        for (const Request& request : requests) {
            if (cancelled->load())
                return;
            const QImage thumbnail = makeThumbnail(request.path, side);
            if (thumbnail.isNull())
                continue;
            const qint64 imageId = request.imageId;
            if (!self)
                return;
            QMetaObject::invokeMethod(
                self.data(),
                [self, cancelled, imageId, thumbnail] {
                    if (self && !cancelled->load())
                        Q_EMIT self->thumbnailReady(imageId, thumbnail);
                },
                Qt::QueuedConnection);
        }
    });
}

} // namespace ds::ui
