#pragma once
#include "core/storage/ProjectFile.h"

#include <QColor>
#include <QDialog>

#include <functional>
#include <vector>

class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace ds::ui {

// Lists a project's defect types and adds, renames (edit the name in place), recolours and
// deletes them, each change written to the project at once; what the project refuses
// (an empty or used name, …) is shown in the dialog. project: the GUI thread's connection.
class DefectTypesDialog : public QDialog {
    Q_OBJECT
public:
    explicit DefectTypesDialog(ProjectFile& project, QWidget* parent = nullptr);

    // What a session of the dialog changed.
    struct Edits {
        bool changed = false;
        // A type was deleted: its id may come to name another type, so an old mask edit
        // undone would paint the wrong one. Adding, renaming or recolouring keeps ids.
        bool removedAny = false;
    };
    // Runs the dialog until closed.
    Edits editTypes();

    // Each applies one change to the project; false (and the reason shown) when refused.
    bool addType(const QString& name, const QColor& colour);
    bool renameType(int id, const QString& name);
    bool recolourType(int id, const QColor& colour);
    bool deleteType(int id);

    QString errorText() const; // the last refusal; empty after a change went through

Q_SIGNALS:
    // After every change that went through, with the project's types now.
    void typesChanged(const std::vector<DefectType>& types);

private:
    void reload();
    bool apply(const std::function<void()>& change);
    int selectedId() const;
    QColor unusedColour() const;
    void nameEdited(QListWidgetItem* item);

    bool removedAny_ = false;
    bool changed_ = false;

    ProjectFile& project_;
    std::vector<DefectType> types_;
    QListWidget* list_ = nullptr;
    QLineEdit* newName_ = nullptr;
    QPushButton* add_ = nullptr;
    QPushButton* recolour_ = nullptr;
    QPushButton* delete_ = nullptr;
    QLabel* error_ = nullptr;
};

} // namespace ds::ui
