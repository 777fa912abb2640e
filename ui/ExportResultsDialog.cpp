#include "ui/ExportResultsDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include "ui/FileDialogs.h"
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <functional>

namespace ds::ui {

namespace {

// A line edit with a Browse… button that fills it from a file dialog.
QWidget* withBrowse(QLineEdit* edit, QWidget* parent, const std::function<QString()>& browse)
{
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto* button = new QPushButton(QStringLiteral("Browse…"), row);
    QObject::connect(button, &QPushButton::clicked, row, [edit, browse] {
        const QString chosen = browse();
        if (!chosen.isEmpty())
            edit->setText(chosen);
    });
    layout->addWidget(button);
    return row;
}

} // namespace

ExportResultsDialog::ExportResultsDialog(const QString& suggestedCsv, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(QStringLiteral("Export Results"));
    csv_ = new QLineEdit(suggestedCsv, this);
    csv_->setObjectName(QStringLiteral("csvEdit"));
    pngs_ = new QCheckBox(QStringLiteral("Also write PNGs of every image to a folder"), this);
    folder_ = new QLineEdit(this);
    folder_->setObjectName(QStringLiteral("pngFolderEdit"));
    folder_->setText(QFileInfo(suggestedCsv).absolutePath() + QStringLiteral("/images"));
    overlays_ = new QCheckBox(QStringLiteral("Overlays"), this);
    heatmaps_ = new QCheckBox(QStringLiteral("Heatmaps"), this);
    masks_ = new QCheckBox(QStringLiteral("Masks"), this);
    for (QCheckBox* box : {overlays_, heatmaps_, masks_})
        box->setChecked(true);

    auto* kinds = new QHBoxLayout;
    kinds->addWidget(overlays_);
    kinds->addWidget(heatmaps_);
    kinds->addWidget(masks_);
    kinds->addStretch(1);
    auto* form = new QFormLayout;
    form->addRow(QStringLiteral("CSV file:"), withBrowse(csv_, this, [this] {
                     return askSaveFileName(this, QStringLiteral("CSV File"), csv_->text(), QStringLiteral("CSV (*.csv)"));
                 }));
    form->addRow(pngs_);
    QWidget* folderRow
        = withBrowse(folder_, this, [this] { return askExistingDirectory(this, QStringLiteral("PNG Folder"), folder_->text()); });
    form->addRow(QStringLiteral("PNG folder:"), folderRow);
    form->addRow(QString(), kinds);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    ok_ = buttons->button(QDialogButtonBox::Ok);
    ok_->setText(QStringLiteral("Export"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    const auto enablePngs = [this, folderRow] {
        const bool on = pngs_->isChecked();
        folderRow->setEnabled(on);
        for (QCheckBox* box : {overlays_, heatmaps_, masks_})
            box->setEnabled(on);
        updateOk();
    };
    connect(pngs_, &QCheckBox::toggled, this, enablePngs);
    connect(csv_, &QLineEdit::textChanged, this, &ExportResultsDialog::updateOk);
    connect(folder_, &QLineEdit::textChanged, this, &ExportResultsDialog::updateOk);
    for (QCheckBox* box : {overlays_, heatmaps_, masks_})
        connect(box, &QCheckBox::toggled, this, &ExportResultsDialog::updateOk);
    enablePngs();

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

void ExportResultsDialog::updateOk()
{
    const bool somePng = overlays_->isChecked() || heatmaps_->isChecked() || masks_->isChecked();
    ok_->setEnabled(!csv_->text().trimmed().isEmpty()
                    && (!pngs_->isChecked() || (!folder_->text().trimmed().isEmpty() && somePng)));
}

ds::ResultsExportOptions ExportResultsDialog::options() const
{
    ds::ResultsExportOptions options;
    options.csvPath = csv_->text().trimmed().toStdString();
    if (pngs_->isChecked()) {
        options.pngFolder = folder_->text().trimmed().toStdString();
        options.overlays = overlays_->isChecked();
        options.heatmaps = heatmaps_->isChecked();
        options.masks = masks_->isChecked();
    }
    return options;
}

} // namespace ds::ui
