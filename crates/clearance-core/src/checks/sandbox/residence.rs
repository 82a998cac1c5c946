//! Sandbox results of proof of address (a utility bill at a sandbox address) and multi-bureau
//! checks.

use super::{Sim, Trigger};
use crate::checks::result::{
    AddressDetails, Breakdown, CheckResult, LatLong, MultiBureauBreakdown, PoaDocumentDetails,
    PoaExtractedData, PoaHolderDetails, ProofOfAddressBreakdown, StructuredAddress, Verdict,
};

impl Sim<'_> {
    pub(super) fn proof_of_address(&self) -> CheckResult {
        let country = self.holder.home_country();
        let number = self.pick("propertyNumber", 1, 99).to_string();
        let issued = self.today - chrono::Days::new(self.pick("issued", 5, 60).into());
        let extracted = PoaExtractedData {
            document_details: PoaDocumentDetails {
                document_type: "utility_bill".into(),
                issuer: Some("Clearance Sandbox Energy".into()),
                issuing_date: Some(issued.into()),
            },
            holder_details: PoaHolderDetails {
                entity_name: Some(self.holder.entity_name.clone()),
            },
            address_details: AddressDetails {
                address_line: Some(format!("{number} Sandbox Street, Testville, 00000")),
                address_country: Some(country.into()),
                address: Some(StructuredAddress {
                    property_number: Some(number),
                    line: Some("Sandbox Street".into()),
                    city: Some("Testville".into()),
                    postal_code: Some("00000".into()),
                    country: Some(country.into()),
                    lat_long: Some(LatLong::default()),
                    ..StructuredAddress::default()
                }),
            },
        };
        let breakdown = ProofOfAddressBreakdown {
            extracted_data: extracted,
            ..ProofOfAddressBreakdown::default()
        };
        self.grade(
            Breakdown::ProofOfAddress(Box::new(breakdown)),
            |_| true,
            &["clientValidation.address"],
        )
    }

    /// Two bureaus confirm each attribute, none the flagged one.
    pub(super) fn multi_bureau(&self) -> CheckResult {
        let mut result = self.grade(
            Breakdown::MultiBureau(MultiBureauBreakdown::default()),
            |_| true,
            &["address.result"],
        );
        if let Breakdown::MultiBureau(b) = &mut result.breakdown {
            for attribute in [&mut b.name, &mut b.dob, &mut b.address] {
                attribute.breakdown.sources = match self.trigger {
                    Trigger::NotProcessed => 0,
                    _ if attribute.result == Verdict::Attention => 0,
                    _ => 2,
                };
            }
        }
        result
    }
}
