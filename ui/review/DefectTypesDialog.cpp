#include "ui/review/DefectTypesDialog.h"

#include "core/Error.h"
#include "ui/review/MaskOverlay.h"

#include <QColorDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>

namespace ds::ui {

namespace {

QIcon swatch(const QColor& colour)
{
    QPixmap pixmap(14, 14);
    pixmap.fill(colour);
    return QIcon(pixmap);
}

} // namespace

DefectTypesDialog::DefectTypesDialog(ProjectFile& project, QWidget* parent)
    : QDialog(parent)
    , project_(project)
{
    setWindowTitle(QStringLiteral("Defect Types"));
    list_ = new QListWidget;
    list_->setObjectName(QStringLiteral("defectTypeList"));
    list_->setToolTip(QStringLiteral("Double-click or F2 to rename"));
    connect(list_, &QListWidget::itemChanged, this, &DefectTypesDialog::nameEdited);

    newName_ = new QLineEdit;
    newName_->setObjectName(QStringLiteral("newDefectTypeName"));
    newName_->setPlaceholderText(QStringLiteral("New type, e.g. scratch"));
    add_ = new QPushButton(QStringLiteral("&Add"));
    add_->setObjectName(QStringLiteral("addDefectTypeButton"));
    add_->setAutoDefault(false);
    const auto addNew = [this] {
        if (addType(newName_->text().trimmed(), unusedColour()))
            newName_->clear();
    };
    connect(add_, &QPushButton::clicked, this, addNew);
    connect(newName_, &QLineEdit::returnPressed, this, addNew);

    recolour_ = new QPushButton(QStringLiteral("&Colour…"));
    recolour_->setAutoDefault(false);
    connect(recolour_, &QPushButton::clicked, this, [this] {
        const int id = selectedId();
        const auto type = std::find_if(types_.begin(), types_.end(), [id](const DefectType& t) { return t.id == id; });
        if (type == types_.end())
            return;
        const QColor colour = QColorDialog::getColor(QColor(QString::fromStdString(type->color)), this,
                                                     QStringLiteral("Colour of %1").arg(QString::fromStdString(type->name)));
        if (colour.isValid())
            recolourType(id, colour);
    });
    delete_ = new QPushButton(QStringLiteral("&Delete"));
    delete_->setAutoDefault(false);
    connect(delete_, &QPushButton::clicked, this, [this] {
        const int id = selectedId();
        if (id == 0)
            return;
        const QString question = QStringLiteral("Delete the defect type “%1”? Its regions in every mask become untyped.")
                                     .arg(list_->currentItem()->text());
        if (QMessageBox::question(this, QStringLiteral("Delete Defect Type"), question) == QMessageBox::Yes)
            deleteType(id);
    });
    connect(list_, &QListWidget::currentRowChanged, this, [this](int row) {
        recolour_->setEnabled(row >= 0);
        delete_->setEnabled(row >= 0);
    });

    error_ = new QLabel;
    error_->setObjectName(QStringLiteral("defectTypeError"));
    error_->setStyleSheet(QStringLiteral("color: #c0392b"));
    error_->setWordWrap(true);
    error_->hide();

    auto* addRow = new QHBoxLayout;
    addRow->addWidget(newName_, 1);
    addRow->addWidget(add_);
    auto* editRow = new QHBoxLayout;
    editRow->addWidget(recolour_);
    editRow->addWidget(delete_);
    editRow->addStretch(1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    // Return belongs to the name field (it adds the type), never to Close.
    buttons->button(QDialogButtonBox::Close)->setAutoDefault(false);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(list_, 1);
    layout->addLayout(editRow);
    layout->addLayout(addRow);
    layout->addWidget(error_);
    layout->addWidget(buttons);
    reload();
}

QString DefectTypesDialog::errorText() const
{
    return error_->isHidden() ? QString() : error_->text();
}

void DefectTypesDialog::reload()
{
    const int selected = selectedId();
    types_ = project_.defectTypes();
    const QSignalBlocker blocker(list_);
    list_->clear();
    for (const DefectType& type : types_) {
        auto* item = new QListWidgetItem(swatch(maskValueColour(type.id, types_)), QString::fromStdString(type.name));
        item->setData(Qt::UserRole, type.id);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        list_->addItem(item);
        if (type.id == selected)
            list_->setCurrentItem(item);
    }
    recolour_->setEnabled(list_->currentRow() >= 0);
    delete_->setEnabled(list_->currentRow() >= 0);
}

bool DefectTypesDialog::apply(const std::function<void()>& change)
{
    try {
        change();
    } catch (const Error& e) {
        error_->setText(QString::fromStdString(e.what()));
        error_->show();
        reload(); // an edit in place that was refused shows the stored name again
        return false;
    }
    error_->hide();
    reload();
    changed_ = true;
    Q_EMIT typesChanged(types_);
    return true;
}

bool DefectTypesDialog::addType(const QString& name, const QColor& colour)
{
    int id = 0;
    const bool added = apply([&] { id = project_.addDefectType(name.toStdString(), colour.name().toStdString()); });
    if (added)
        for (int row = 0; row < list_->count(); ++row)
            if (list_->item(row)->data(Qt::UserRole).toInt() == id)
                list_->setCurrentRow(row);
    return added;
}

bool DefectTypesDialog::renameType(int id, const QString& name)
{
    const auto type = std::find_if(types_.begin(), types_.end(), [id](const DefectType& t) { return t.id == id; });
    if (type == types_.end())
        return false;
    DefectType renamed = *type;
    renamed.name = name.trimmed().toStdString();
    return apply([&] { project_.updateDefectType(renamed); });
}

bool DefectTypesDialog::recolourType(int id, const QColor& colour)
{
    const auto type = std::find_if(types_.begin(), types_.end(), [id](const DefectType& t) { return t.id == id; });
    if (type == types_.end())
        return false;
    DefectType recoloured = *type;
    recoloured.color = colour.name().toStdString();
    return apply([&] { project_.updateDefectType(recoloured); });
}

bool DefectTypesDialog::deleteType(int id)
{
    const bool deleted = apply([&] { project_.deleteDefectType(id); });
    removedAny_ |= deleted;
    return deleted;
}

DefectTypesDialog::Edits DefectTypesDialog::editTypes()
{
    exec();
    return {changed_, removedAny_};
}

void DefectTypesDialog::nameEdited(QListWidgetItem* item)
{
    // Applied once the edit has finished: applying reloads the list, deleting this item.
    QMetaObject::invokeMethod(
        this, [this, id = item->data(Qt::UserRole).toInt(), name = item->text()] { renameType(id, name); }, Qt::QueuedConnection);
}

int DefectTypesDialog::selectedId() const
{
    const QListWidgetItem* item = list_ ? list_->currentItem() : nullptr;
    return item ? item->data(Qt::UserRole).toInt() : 0;
}

QColor DefectTypesDialog::unusedColour() const
{
    return QColor(QString::fromStdString(ds::unusedDefectTypeColour(types_)));
}

} // namespace ds::ui
