#include "ui/jobs/BackgroundTask.h"

#include <QCoreApplication>
#include <QEvent>
#include <QRunnable>
#include <QThreadPool>

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* address);
extern "C" void __tsan_release(void* address);
#endif

namespace ds::ui {
namespace {

// Qt's thread pool and event queue synchronise inside libQt6Core, which ThreadSanitizer
// cannot see (the distribution's Qt is not instrumented). These marks tell it where work
// and results change threads, so what it reports is about our own code. No-ops otherwise.
void handOver([[maybe_unused]] void* channel)
{
#if defined(__SANITIZE_THREAD__)
    __tsan_release(channel);
#endif
}

void takeOver([[maybe_unused]] void* channel)
{
#if defined(__SANITIZE_THREAD__)
    __tsan_acquire(channel);
#endif
}

} // namespace

// A result on its way from the worker to the owner's thread.
struct BackgroundTask::Delivery : QEvent {
    Delivery(std::uint64_t generation, Apply apply, bool final)
        : QEvent(type())
        , generation(generation)
        , apply(std::move(apply))
        , final(final)
    {
    }
    static QEvent::Type type()
    {
        static const auto registered = QEvent::Type(QEvent::registerEventType());
        return registered;
    }
    const std::uint64_t generation;
    const Apply apply;
    const bool final;
};

// The work as the pool runs it: it takes over from the starting thread before it touches
// anything the closure holds.
class BackgroundTask::Run : public QRunnable {
public:
    explicit Run(std::function<void()> body)
        : body_(std::move(body))
    {
    }
    void run() override
    {
        takeOver(this);
        body_();
    }

private:
    const std::function<void()> body_;
};

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
    const Post post = [this, generation](Apply apply) { postDelivery(generation, std::move(apply), false); };
    // A run started while another is cancelling queues behind it on the one thread.
    auto* const run = new Run([this, job, generation, post, work = std::move(work)] {
        Apply apply;
        try {
            apply = work(*job, post);
        } catch (const std::exception& e) {
            const QString message = QString::fromStdString(e.what());
            apply = [this, message] { Q_EMIT failed(message); };
        } catch (...) {
            apply = [this] { Q_EMIT failed(QStringLiteral("Unknown error.")); };
        }
        postDelivery(generation, std::move(apply), true);
    });
    handOver(run);
    pool_->start(run);
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
    takeOver(this);
}

void BackgroundTask::postDelivery(std::uint64_t generation, Apply apply, bool final)
{
    // Made whole before it changes threads; Qt drops it if this task is destroyed first.
    auto* const delivery = new Delivery(generation, std::move(apply), final);
    handOver(this);
    QCoreApplication::postEvent(this, delivery);
}

bool BackgroundTask::event(QEvent* event)
{
    takeOver(this);
    if (event->type() != Delivery::type())
        return QObject::event(event);
    const auto* const delivery = static_cast<const Delivery*>(event);
    deliver(delivery->generation, delivery->apply, delivery->final);
    return true;
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
