#include "ui/jobs/BackgroundTask.h"

#include <QThreadPool>

namespace ds::ui {

BackgroundTask::BackgroundTask(QObject* parent)
    : QObject(parent)
    , pool_(new QThreadPool(this))
{
    // Its own thread: a long job never waits behind thumbnails, nor thumbnails behind it.
    pool_->setMaxThreadCount(1);
}

BackgroundTask::~BackgroundTask()
{
    // Deliveries the work still queues to us are dropped by Qt once we are gone.
    cancelAndWait();
}

void BackgroundTask::start(Work work, std::shared_ptr<ds::JobContext> context)
{
    cancel();
    const std::uint64_t generation = ++generation_;
    context_ = context ? std::move(context) : std::make_shared<ds::JobContext>();
    running_ = true;
    std::shared_ptr<ds::JobContext> job = context_;
    const Post post = [this, generation](Apply apply) {
        QMetaObject::invokeMethod(
            this, [this, generation, apply = std::move(apply)] { deliver(generation, apply, false); }, Qt::QueuedConnection);
    };
    // A run started while another is cancelling queues behind it on the one thread.
    pool_->start([this, job, generation, post, work = std::move(work)] {
        Apply apply;
        try {
            apply = work(*job, post);
        } catch (const std::exception& e) {
            const QString message = QString::fromStdString(e.what());
            apply = [this, message] { Q_EMIT failed(message); };
        } catch (...) {
            apply = [this] { Q_EMIT failed(QStringLiteral("Unknown error.")); };
        }
        QMetaObject::invokeMethod(
            this, [this, generation, apply = std::move(apply)] { deliver(generation, apply, true); }, Qt::QueuedConnection);
    });
}

void BackgroundTask::cancel()
{
    if (context_)
        context_->cancel();
    if (running_) {
        ++generation_; // what the cancelled run still sends is stale
        running_ = false;
        context_.reset();
    }
}

void BackgroundTask::cancelAndWait()
{
    cancel();
    pool_->waitForDone();
}

void BackgroundTask::deliver(std::uint64_t generation, const Apply& apply, bool final)
{
    if (generation != generation_)
        return;
    if (final) {
        running_ = false;
        context_.reset();
    }
    if (apply)
        apply();
    if (final)
        Q_EMIT finished();
}

} // namespace ds::ui
