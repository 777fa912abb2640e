#include "ui/jobs/JobRunner.h"

#include "core/Error.h"
#include "ui/Wording.h"

#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace ds::ui {

JobRunner::JobRunner(QObject* parent)
    : QObject(parent)
    , pool_(new QThreadPool(this))
{
    pool_->setMaxThreadCount(1);
}

JobRunner::~JobRunner()
{
    // Notifications the job still queues to us are dropped by Qt once we are gone.
    cancelAndWait();
}

bool JobRunner::start(const QString& title, Work work)
{
    if (running_)
        return false;
    running_ = true;
    context_ = std::make_shared<ds::JobContext>();
    clock_.start();
    Q_EMIT logLine(title + QStringLiteral(" started."));

    // Callbacks arrive on the worker thread; the signals are emitted on ours.
    context_->setProgressCallback([this](double fraction, const std::string& stage) {
        const QString text = QString::fromStdString(stage);
        QMetaObject::invokeMethod(
            this,
            [this, fraction, text] {
                if (!running_)
                    return;
                const double done = std::clamp(fraction, 0.0, 1.0);
                QString shown = text;
                // A time-left estimate once there is enough history for it to mean something.
                const double elapsed = elapsedSeconds();
                if (elapsed > 3.0 && done > 0.03 && done < 1.0)
                    shown += QStringLiteral(" · about %1 left").arg(formatSeconds(std::ceil(elapsed * (1.0 - done) / done)));
                if (context_ && context_->isCancelled())
                    shown = QStringLiteral("Cancelling…");
                Q_EMIT progress(done, shown);
            },
            Qt::QueuedConnection);
    });
    context_->setLogCallback([this](const std::string& line) {
        const QString text = QString::fromStdString(line);
        QMetaObject::invokeMethod(
            this, [this, text] { Q_EMIT logLine(text); }, Qt::QueuedConnection);
    });
    context_->setCurveCallback([this](const std::string& curve, double x, double y) {
        const QString name = QString::fromStdString(curve);
        QMetaObject::invokeMethod(
            this, [this, name, x, y] { Q_EMIT curvePoint(name, x, y); }, Qt::QueuedConnection);
    });
    std::shared_ptr<ds::JobContext> job = context_;
    future_ = QtConcurrent::run(pool_, [this, job, work = std::move(work)] {
        JobOutcome outcome;
        try {
            outcome = work(*job);
        } catch (const ds::Cancelled&) {
            outcome.status = JobOutcome::Status::Cancelled;
            outcome.message = QStringLiteral("Cancelled: the project is unchanged.");
        } catch (const ds::InputError& e) {
            outcome.status = JobOutcome::Status::Failed;
            outcome.message = QString::fromStdString(e.what());
            outcome.badInput = true;
        } catch (const std::exception& e) {
            outcome.status = JobOutcome::Status::Failed;
            outcome.message = QString::fromStdString(e.what());
        } catch (...) {
            outcome.status = JobOutcome::Status::Failed;
            outcome.message = QStringLiteral("Unknown error.");
        }
        if (job->isCancelled() && outcome.status == JobOutcome::Status::Failed)
            outcome.status = JobOutcome::Status::Cancelled;
        QMetaObject::invokeMethod(
            this, [this, outcome] { deliver(outcome); }, Qt::QueuedConnection);
    });
    return true;
}

void JobRunner::cancel()
{
    if (context_)
        context_->cancel();
}

void JobRunner::cancelAndWait()
{
    cancel();
    future_.waitForFinished();
}

void JobRunner::deliver(const JobOutcome& outcome)
{
    future_.waitForFinished(); // already returning: the worker's last act queued us
    context_.reset();
    running_ = false;
    Q_EMIT logLine(QStringLiteral("%1 (%2)").arg(outcome.message, formatSeconds(elapsedSeconds())));
    Q_EMIT finished(outcome);
}

} // namespace ds::ui
