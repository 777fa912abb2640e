#pragma once
#include <QKeySequence>
#include <QString>

class QAction;
class QMenu;

namespace ds::ui {

// An action at the end of menu, with the object name tests and scripts find it by.
QAction* addMenuAction(QMenu* menu, const QString& text, const char* objectName, const QKeySequence& shortcut = {},
                       const QString& statusTip = {});

} // namespace ds::ui
