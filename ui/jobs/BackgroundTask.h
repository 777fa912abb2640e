#pragma once
#include "core/jobs/JobContext.h"

#include <QObject>

#include <cstdint>
#include <functional>
#include <memory>

class QThreadPool;

namespace ds::ui {

// The one way work leaves the GUI thread: a function runs on this task's own worker thread
// and hands its results back as closures that run on the owner's thread. Starting again
// cancels the run still going and makes whatever it delivers later stale (dropped), so a
// result never lands on a view that moved on. Destroying the task cancels and waits, so
// the work never outlives its owner.
class BackgroundTask : public QObject {
    Q_OBJECT
public:
    // A result to apply on the owner's thread; empty: nothing to apply.
    using Apply = std::function<void()>;
    // Hands a partial result (one thumbnail, one scored image) over while the work goes on.
    using Post = std::function<void(Apply)>;
    using Work = std::function<Apply(ds::JobContext& job, const Post& post)>;

    explicit BackgroundTask(QObject* parent = nullptr);
    ~BackgroundTask() override;

    // Runs work with a fresh context (cancel, progress callbacks set by the caller first).
    void start(Work work, std::shared_ptr<ds::JobContext> context = {});
    bool isRunning() const { return running_; }
    // Asks the run to stop and drops what it still delivers.
    void cancel();
    // Cancels and blocks until the run has returned.
    void cancelAndWait();
    // The context of the run going on, if any (its callbacks post through it).
    ds::JobContext* context() const { return context_.get(); }

Q_SIGNALS:
    // After the final result of the current run was applied (not for stale runs).
    void finished();
    // The work threw: the message, on the owner's thread.
    void failed(const QString& message);

protected:
    bool event(QEvent* event) override;

private:
    struct Delivery;
    class Run;
    void postDelivery(std::uint64_t generation, Apply apply, bool final);
    void deliver(std::uint64_t generation, const Apply& apply, bool final);

    QThreadPool* pool_ = nullptr;
    std::shared_ptr<ds::JobContext> context_;
    std::uint64_t generation_ = 0; // of the current run: older deliveries are stale
    bool running_ = false;
};

} // namespace ds::ui
