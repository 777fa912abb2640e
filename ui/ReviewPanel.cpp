#include "ui/ReviewPanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace ds::ui {

namespace {

QString coloured(const QString& text, const char* colour)
{
    return QStringLiteral("<b style='color:%1'>%2</b>").arg(QLatin1String(colour), text);
}

QPushButton* makeVerdictButton(const QString& text, const QString& key, const QString& tip)
{
    auto* button = new QPushButton(QStringLiteral("%1  (%2)").arg(text, key));
    button->setToolTip(tip);
    button->setFocusPolicy(Qt::NoFocus); // keys go on driving the queue, not the button
    return button;
}

} // namespace

ReviewPanel::ReviewPanel(QWidget* parent)
    : QWidget(parent)
{
    order_ = new QComboBox;
    order_->setObjectName(QStringLiteral("reviewOrderBox"));
    order_->addItem(QStringLiteral("Highest score first"), int(Order::HighestScore));
    order_->addItem(QStringLiteral("Nearest the threshold first"), int(Order::NearestThreshold));
    order_->setToolTip(QStringLiteral("The order N / P and the arrow keys walk the images in; "
                                      "nearest the threshold puts the uncertain ones first"));
    connect(order_, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT orderChanged(order()); });
    progress_ = new QLabel;
    progress_->setObjectName(QStringLiteral("reviewProgress"));
    modelVerdict_ = new QLabel;
    modelVerdict_->setObjectName(QStringLiteral("modelVerdict"));
    humanVerdict_ = new QLabel;
    humanVerdict_->setObjectName(QStringLiteral("humanVerdict"));

    defect_ = makeVerdictButton(QStringLiteral("Defect"), QStringLiteral("D"), QStringLiteral("This part is defective"));
    good_ = makeVerdictButton(QStringLiteral("Good"), QStringLiteral("G"), QStringLiteral("This part is good"));
    unsure_ = makeVerdictButton(QStringLiteral("Unsure"), QStringLiteral("U"),
                                QStringLiteral("Cannot tell: recorded, but the metrics do not count it"));
    defect_->setObjectName(QStringLiteral("defectButton"));
    good_->setObjectName(QStringLiteral("goodButton"));
    unsure_->setObjectName(QStringLiteral("unsureButton"));
    connect(defect_, &QPushButton::clicked, this, [this] { Q_EMIT verdictGiven(ds::Verdict::Defect); });
    connect(good_, &QPushButton::clicked, this, [this] { Q_EMIT verdictGiven(ds::Verdict::Good); });
    connect(unsure_, &QPushButton::clicked, this, [this] { Q_EMIT verdictGiven(ds::Verdict::Unsure); });

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(QStringLiteral("Review:")));
    layout->addWidget(order_);
    layout->addWidget(progress_);
    layout->addStretch(1);
    layout->addWidget(modelVerdict_);
    layout->addSpacing(12);
    layout->addWidget(humanVerdict_);
    layout->addSpacing(12);
    layout->addWidget(defect_);
    layout->addWidget(good_);
    layout->addWidget(unsure_);
    clearImage();
}

ReviewPanel::Order ReviewPanel::order() const
{
    return Order(order_->currentData().toInt());
}

QPushButton* ReviewPanel::verdictButton(ds::Verdict verdict) const
{
    switch (verdict) {
    case ds::Verdict::Defect: return defect_;
    case ds::Verdict::Good: return good_;
    case ds::Verdict::Unsure: return unsure_;
    }
    return nullptr;
}

QString ReviewPanel::modelVerdictText() const
{
    return modelVerdict_->text();
}
QString ReviewPanel::humanVerdictText() const
{
    return humanVerdict_->text();
}

void ReviewPanel::showImage(double score, double threshold, const QString& review, const QString& reviewer, const QString& when)
{
    const bool defect = score >= threshold;
    modelVerdict_->setText(
        QStringLiteral("Model: ")
        + (defect ? coloured(QStringLiteral("Defect"), "#c0392b") : coloured(QStringLiteral("Good"), "#1e8449")));
    modelVerdict_->setToolTip(QStringLiteral("Score %1 %2 threshold %3")
                                  .arg(score, 0, 'f', 4)
                                  .arg(defect ? QStringLiteral("≥") : QStringLiteral("<"))
                                  .arg(threshold, 0, 'f', 4));
    if (review.isEmpty()) {
        humanVerdict_->setText(QStringLiteral("Reviewer: <i>not reviewed</i>"));
        humanVerdict_->setToolTip(QString());
    } else {
        const char* colour = review == QStringLiteral("defect") ? "#c0392b"
            : review == QStringLiteral("good")                  ? "#1e8449"
                                                                : "#9a6b00";
        humanVerdict_->setText(QStringLiteral("Reviewer: ") + coloured(review.left(1).toUpper() + review.mid(1), colour));
        humanVerdict_->setToolTip(QStringLiteral("By %1, %2").arg(reviewer, when));
    }
    for (QPushButton* button : {defect_, good_, unsure_})
        button->setEnabled(true);
}

void ReviewPanel::clearImage()
{
    modelVerdict_->clear();
    humanVerdict_->clear();
    for (QPushButton* button : {defect_, good_, unsure_})
        button->setEnabled(false);
}

void ReviewPanel::setProgress(int reviewed, int total)
{
    progress_->setText(total > 0 ? QStringLiteral("%1 of %2 reviewed").arg(reviewed).arg(total) : QString());
}

} // namespace ds::ui
