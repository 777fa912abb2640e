#pragma once
#include <QMessageBox>

#include <cstdint>

namespace ds::ui {

// Asks what to do with a scoring run a crash or kill left unfinished: its results stay
// unseen (only finished runs are shown) until it is resumed or discarded. Non-modal.
class InterruptedRunBox : public QMessageBox {
    Q_OBJECT
public:
    InterruptedRunBox(std::int64_t runId, const QString& modelName, int scored, int total, QWidget* parent = nullptr);

Q_SIGNALS:
    void resumeRequested(std::int64_t runId);
    void discardRequested(std::int64_t runId);
};

} // namespace ds::ui
