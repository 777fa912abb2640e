#pragma once
#include "core/jobs/JobContext.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>

#include <functional>

namespace ds::ui {

// What a finished job tells the window (built on the worker thread).
struct JobOutcome {
    enum class Status { Succeeded, Cancelled, Failed } status = Status::Succeeded;
    QString message; // summary for the status bar, or the error
    QStringList skipped; // "path: reason" of files the job skipped
    qint64 selectModelId = 0; // model to select afterwards (0: keep the selection)
    bool badInput = false; // Failed because of what the user gave (ds::InputError), not a fault
};

class BackgroundTask;

// Runs one long job at a time on its own BackgroundTask (never queued behind thumbnails or
// inspections) and reports it on the GUI thread: progress with time left, log lines, curve
// points, and the outcome as a value. A job that throws ends Failed with its message; one
// cancelled (ds::Cancelled, or failing after cancel()) ends Cancelled. Destroying the
// runner cancels the job and waits for it, so work never outlives its owner.
class JobRunner : public QObject {
    Q_OBJECT
public:
    using Work = std::function<JobOutcome(ds::JobContext&)>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    // False (nothing started) while another job runs.
    bool start(const QString& title, Work work);
    bool isRunning() const;
    // Asks the job to stop at its next check; finished() follows.
    void cancel();
    // Cancels and blocks until the job has returned (closing the window).
    void cancelAndWait();
    double elapsedSeconds() const { return clock_.elapsed() / 1000.0; }

Q_SIGNALS:
    // text: the job's stage, with the time left once it can be estimated, or "Cancelling…".
    void progress(double fraction, const QString& text);
    void logLine(const QString& line);
    void curvePoint(const QString& curve, double x, double y);
    // Emitted once isRunning() is false again.
    void finished(const ds::ui::JobOutcome& outcome);

private:
    // post: BackgroundTask::Post, which hands a closure to this thread.
    void forwardReports(ds::JobContext& job, const std::function<void(std::function<void()>)>& post);
    void deliver(const JobOutcome& outcome);

    BackgroundTask* task_ = nullptr;
    QElapsedTimer clock_;
};

} // namespace ds::ui
