#pragma once
#include <QString>

class QWidget;

namespace ds::ui {

// The name verdicts and mask edits are recorded under (Review → Reviewer Name…), kept in
// the user's settings; the login name until one is chosen.
QString reviewerName();
void setReviewerName(const QString& name);
// Asks for the name; Cancel or an empty name keeps the current one.
void askReviewerName(QWidget* parent);

} // namespace ds::ui
