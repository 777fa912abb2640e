#pragma once
#include <QLabel>

#include <cstdint>

class QTimer;

namespace ds::ui {

class BackgroundTask;

// The run shown's image and pixel metrics against the current truth, computed on a worker
// thread shortly after the last change (a verdict, a mask edit), so reviewing never waits.
class RunMetricsLabel : public QLabel {
    Q_OBJECT
public:
    explicit RunMetricsLabel(QWidget* parent = nullptr);

    // The run to measure (0: none, cleared); measured shortly after.
    void setRun(const QString& projectPath, std::int64_t runId);
    // The truth changed: measure again shortly.
    void schedule();

private:
    void compute();

    QString projectPath_;
    std::int64_t runId_ = 0;
    QTimer* timer_ = nullptr;
    BackgroundTask* task_ = nullptr;
};

} // namespace ds::ui
