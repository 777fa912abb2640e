#pragma once
#include <QImage>
#include <QList>
#include <QObject>
#include <QString>

#include <cstdint>

namespace ds::ui {

class BackgroundTask;

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

    void load(QList<Request> requests);
    void cancel();
    int side() const { return side_; }

    // The preview of one file (longest side = side), or a null image when it cannot be read.
    static QImage makeThumbnail(const QString& path, int side);

Q_SIGNALS:
    void thumbnailReady(qint64 imageId, const QImage& thumbnail);

private:
    int side_;
    BackgroundTask* task_;
};

} // namespace ds::ui
