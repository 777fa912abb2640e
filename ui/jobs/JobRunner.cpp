#include "ui/jobs/JobRunner.h"

#include "core/Error.h"
#include "ui/Wording.h"
#include "ui/jobs/BackgroundTask.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace ds::ui {

JobRunner::JobRunner(QObject* parent)
    : QObject(parent)
    , task_(new BackgroundTask(this))
{
}

JobRunner::~JobRunner()
{
    cancelAndWait();
}

bool JobRunner::isRunning() const
{
    return task_->isRunning();
}

bool JobRunner::start(const QString& title, Work work)
{
    if (isRunning())
        return false;
    auto context = std::make_shared<ds::JobContext>();
    clock_.start();
    Q_EMIT logLine(title + QStringLiteral(" started."));

    task_->start(
        [this, work = std::move(work)](ds::JobContext& job, const BackgroundTask::Post& post) -> BackgroundTask::Apply {
            forwardReports(job, post);
            JobOutcome outcome;
            try {
                outcome = work(job);
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
            if (job.isCancelled() && outcome.status == JobOutcome::Status::Failed)
                outcome.status = JobOutcome::Status::Cancelled;
            return [this, outcome] { deliver(outcome); };
        },
        std::move(context));
    return true;
}

// Callbacks arrive on the worker thread; the signals are emitted on ours. They travel
// as the task's partial results: in order before its outcome, dropped with the run when
// it is stale, and marked for ThreadSanitizer where they change threads.
void JobRunner::forwardReports(ds::JobContext& job, const BackgroundTask::Post& post)
{
    job.setProgressCallback([this, &job, post](double fraction, const std::string& stage) {
        const QString text = QString::fromStdString(stage);
        const bool cancelling = job.isCancelled();
        post([this, fraction, text, cancelling] {
            if (!isRunning())
                return;
            const double done = std::clamp(fraction, 0.0, 1.0);
            QString shown = text;
            // A time-left estimate once there is enough history for it to mean something.
            const double elapsed = elapsedSeconds();
            if (elapsed > 3.0 && done > 0.03 && done < 1.0)
                shown += QStringLiteral(" · about %1 left").arg(formatSeconds(std::ceil(elapsed * (1.0 - done) / done)));
            if (cancelling)
                shown = QStringLiteral("Cancelling…");
            Q_EMIT progress(done, shown);
        });
    });
    job.setLogCallback([this, post](const std::string& line) {
        const QString text = QString::fromStdString(line);
        post([this, text] { Q_EMIT logLine(text); });
    });
    job.setCurveCallback([this, post](const std::string& curve, double x, double y) {
        const QString name = QString::fromStdString(curve);
        post([this, name, x, y] { Q_EMIT curvePoint(name, x, y); });
    });
}

void JobRunner::cancel()
{
    // The job stops at its next check and still reports how it ended.
    if (ds::JobContext* job = task_->context())
        job->cancel();
}

void JobRunner::cancelAndWait()
{
    task_->cancelAndWait();
}

void JobRunner::deliver(const JobOutcome& outcome)
{
    Q_EMIT logLine(QStringLiteral("%1 (%2)").arg(outcome.message, formatSeconds(elapsedSeconds())));
    Q_EMIT finished(outcome);
}

} // namespace ds::ui
