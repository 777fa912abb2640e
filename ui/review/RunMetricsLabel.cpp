#include "ui/review/RunMetricsLabel.h"

#include "core/jobs/RunMetrics.h"
#include "ui/jobs/BackgroundTask.h"

#include <QTimer>

namespace ds::ui {

RunMetricsLabel::RunMetricsLabel(QWidget* parent)
    : QLabel(parent)
    , timer_(new QTimer(this))
    , task_(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("metricsLabel"));
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setWordWrap(true);
    setToolTip(QStringLiteral("Measured on the images whose truth is known: a reviewer's verdict, "
                              "else the dataset's label; recomputed as you review"));
    timer_->setSingleShot(true);
    timer_->setInterval(400);
    connect(timer_, &QTimer::timeout, this, &RunMetricsLabel::compute);
    connect(task_, &BackgroundTask::failed, this,
            [this](const QString& message) { setText(QStringLiteral("Metrics unavailable: ") + message.toHtmlEscaped()); });
}

void RunMetricsLabel::setRun(const QString& projectPath, std::int64_t runId)
{
    task_->cancel(); // its figures are another run's
    projectPath_ = projectPath;
    runId_ = runId;
    clear();
    schedule();
}

void RunMetricsLabel::schedule()
{
    if (runId_)
        timer_->start();
    else
        timer_->stop();
}

void RunMetricsLabel::compute()
{
    if (!runId_ || projectPath_.isEmpty())
        return;
    task_->start([project = projectPath_.toStdString(), runId = runId_, this](ds::JobContext& job, const BackgroundTask::Post&) {
        const ds::ProjectFile file = ds::ProjectFile::open(project);
        const ds::RunMetrics metrics = ds::computeRunMetrics(file, runId, &job);
        const auto value
            = [](const std::optional<double>& metric) { return metric ? QString::number(*metric, 'f', 3) : QStringLiteral("—"); };
        const QString text
            = QStringLiteral(
                  "Image AUROC <b>%1</b> · pixel AUROC <b>%2</b> · AUPRO <b>%3</b> · F1-max <b>%4</b>"
                  " &nbsp;<small>on %5 good and %6 defective images (%7 with masks), %8 labels from reviewers%9</small>")
                  .arg(value(metrics.imageAuroc), value(metrics.pixelAuroc), value(metrics.aupro), value(metrics.f1Max))
                  .arg(metrics.nGood)
                  .arg(metrics.nDefective)
                  .arg(metrics.nWithMask)
                  .arg(metrics.nReviewed)
                  .arg(metrics.nUnknown ? QStringLiteral(", %1 without truth left out").arg(metrics.nUnknown) : QString());
        return BackgroundTask::Apply([this, text] { setText(text); });
    });
}

} // namespace ds::ui
