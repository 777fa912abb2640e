#include "ui/InterruptedRunBox.h"

#include <QPushButton>

namespace ds::ui {

InterruptedRunBox::InterruptedRunBox(std::int64_t runId, const QString& modelName, int scored, int total, QWidget* parent)
    : QMessageBox(QMessageBox::Question, QStringLiteral("Interrupted Scoring"),
                  QStringLiteral("Scoring with model \u201c%1\u201d stopped before it finished (run %2: %3 of %4 test images "
                                 "scored), because the program was closed by force or crashed.")
                      .arg(modelName)
                      .arg(runId)
                      .arg(scored)
                      .arg(total),
                  QMessageBox::NoButton, parent)
{
    setObjectName(QStringLiteral("interruptedRunBox"));
    setInformativeText(QStringLiteral("Resume scores the images it lacks; Discard removes the run and its results."));
    QPushButton* resume = addButton(QStringLiteral("&Resume"), QMessageBox::AcceptRole);
    resume->setObjectName(QStringLiteral("resumeRunButton"));
    addButton(QStringLiteral("&Discard"), QMessageBox::DestructiveRole)->setObjectName(QStringLiteral("discardRunButton"));
    addButton(QStringLiteral("&Later"), QMessageBox::RejectRole);
    setAttribute(Qt::WA_DeleteOnClose);
    setModal(false);
    connect(this, &QMessageBox::buttonClicked, this, [this, runId](QAbstractButton* button) {
        const QMessageBox::ButtonRole role = buttonRole(button);
        if (role == QMessageBox::AcceptRole)
            Q_EMIT resumeRequested(runId);
        else if (role == QMessageBox::DestructiveRole)
            Q_EMIT discardRequested(runId);
    });
}

} // namespace ds::ui
