#pragma once
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace ds::ui {

class CurvePlot;
class JobRunner;

// What a JobRunner's job looks like to the user: in the status bar, the stage with time
// left, a progress bar and Cancel (shown only while a job runs); in the log area, every
// job's log lines with their time, and the curves of a method that learns (e.g. its loss).
class JobPanel : public QWidget {
    Q_OBJECT
public:
    explicit JobPanel(JobRunner* jobs, QWidget* parent = nullptr);

    // Goes in a dock; the panel itself goes in the status bar.
    QWidget* logArea() const { return logArea_; }
    QPlainTextEdit* log() const { return log_; }
    CurvePlot* curves() const { return curves_; }

    // A job is starting: a fresh bar and no curves yet.
    void begin(const QString& title);
    void appendLog(const QString& line);
    // Asks the job to stop (Esc, Cancel).
    void cancel();

Q_SIGNALS:
    // The first curve point of a job arrived: worth showing the log area.
    void curvesStarted();

private:
    JobRunner* jobs_;
    QLabel* stage_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QWidget* logArea_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
    CurvePlot* curves_ = nullptr;
};

} // namespace ds::ui
