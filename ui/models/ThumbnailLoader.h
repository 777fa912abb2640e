#pragma once
#include <QFuture>
#include <QImage>
#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>

namespace ds::ui {

// Makes small previews of image files on a worker thread and hands them back one by one
// on the thread that owns the loader. A new request supersedes the one still running.
class ThumbnailLoader : public QObject {
    Q_OBJECT
public:
    struct Request {
        std::int64_t imageId = 0;
        QString path;
    };

    explicit ThumbnailLoader(int side, QObject* parent = nullptr);
    ~ThumbnailLoader() override;

    void load(QList<Request> requests);
    void cancel();
    int side() const { return side_; }

    // The preview of one file (longest side = side), or a null image when it cannot be read.
    static QImage makeThumbnail(const QString& path, int side);

Q_SIGNALS:
    void thumbnailReady(qint64 imageId, const QImage& thumbnail);

private:
    int side_;
    std::shared_ptr<std::atomic<bool>> cancelled_;
    QFuture<void> running_; // waited for on destruction
};

} // namespace ds::ui
