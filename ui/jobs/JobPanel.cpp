#include "ui/jobs/JobPanel.h"

#include "ui/jobs/JobRunner.h"
#include "ui/plots/CurvePlot.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>

namespace ds::ui {

JobPanel::JobPanel(JobRunner* jobs, QWidget* parent)
    : QWidget(parent)
    , jobs_(jobs)
{
    setObjectName(QStringLiteral("jobPanel"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    stage_ = new QLabel;
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setTextVisible(true);
    progress_->setMinimumWidth(220);
    cancel_ = new QPushButton(QStringLiteral("Cancel"));
    cancel_->setObjectName(QStringLiteral("cancelJobButton"));
    cancel_->setToolTip(QStringLiteral("Stop the job (Esc); the project stays as it was before it"));
    connect(cancel_, &QPushButton::clicked, this, &JobPanel::cancel);
    layout->addWidget(stage_);
    layout->addWidget(progress_);
    layout->addWidget(cancel_);
    hide();

    log_ = new QPlainTextEdit;
    log_->setObjectName(QStringLiteral("jobLog"));
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    curves_ = new CurvePlot;
    curves_->setObjectName(QStringLiteral("jobCurves"));
    curves_->hide();
    auto* logArea = new QSplitter(Qt::Horizontal);
    logArea->addWidget(log_);
    logArea->addWidget(curves_);
    logArea->setStretchFactor(0, 1);
    logArea->setStretchFactor(1, 1);
    logArea_ = logArea;

    connect(jobs_, &JobRunner::progress, this, [this](double fraction, const QString& text) {
        stage_->setText(text);
        progress_->setValue(int(fraction * 1000));
    });
    connect(jobs_, &JobRunner::logLine, this, &JobPanel::appendLog);
    connect(jobs_, &JobRunner::curvePoint, this, [this](const QString& curve, double x, double y) {
        if (curves_->isHidden()) { // a method that learns: show how it goes
            curves_->show();
            Q_EMIT curvesStarted();
        }
        curves_->addPoint(curve, x, y);
    });
    connect(jobs_, &JobRunner::finished, this, &QWidget::hide);
}

void JobPanel::begin(const QString& title)
{
    stage_->setText(title);
    progress_->setValue(0);
    cancel_->setEnabled(true);
    curves_->clear();
    curves_->hide();
    show();
}

void JobPanel::appendLog(const QString& line)
{
    log_->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
}

void JobPanel::cancel()
{
    if (!jobs_->isRunning())
        return;
    jobs_->cancel();
    cancel_->setEnabled(false);
    stage_->setText(QStringLiteral("Cancelling…"));
}

} // namespace ds::ui
