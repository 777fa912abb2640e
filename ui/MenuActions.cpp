#include "ui/MenuActions.h"

#include <QAction>
#include <QMenu>

namespace ds::ui {

QAction* addMenuAction(QMenu* menu, const QString& text, const char* objectName, const QKeySequence& shortcut,
                       const QString& statusTip)
{
    QAction* action = menu->addAction(text);
    action->setObjectName(QString::fromLatin1(objectName));
    action->setShortcut(shortcut);
    action->setStatusTip(statusTip);
    return action;
}

} // namespace ds::ui
