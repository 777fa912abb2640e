#include "ui/review/Reviewer.h"

#include <QInputDialog>
#include <QSettings>

namespace ds::ui {

namespace {
const QString kReviewerKey = QStringLiteral("review/reviewer");
}

QString reviewerName()
{
    QString fallback = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
    if (fallback.isEmpty())
        fallback = QStringLiteral("reviewer");
    return QSettings().value(kReviewerKey, fallback).toString();
}

void setReviewerName(const QString& name)
{
    QSettings().setValue(kReviewerKey, name);
}

void askReviewerName(QWidget* parent)
{
    bool ok = false;
    const QString name = QInputDialog::getText(parent, QStringLiteral("Reviewer Name"),
                                               QStringLiteral("Verdicts and mask edits are recorded under this name:"),
                                               QLineEdit::Normal, reviewerName(), &ok)
                             .trimmed();
    if (ok && !name.isEmpty())
        setReviewerName(name);
}

} // namespace ds::ui
